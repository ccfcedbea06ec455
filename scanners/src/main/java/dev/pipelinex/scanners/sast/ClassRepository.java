package dev.pipelinex.scanners.sast;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.tree.ClassNode;
import org.objectweb.asm.tree.MethodNode;

/** The application's compiled classes, read from its class folders on demand. */
public final class ClassRepository {

    private final List<Path> folders;
    private final Map<String, Optional<ClassNode>> cache = new HashMap<>();

    public ClassRepository(List<Path> folders) {
        this.folders = List.copyOf(folders);
    }

    /** The class by internal name ({@code a/b/C$D}), empty when it is not the application's. */
    Optional<ClassNode> load(String internalName) {
        return cache.computeIfAbsent(internalName, this::read);
    }

    private Optional<ClassNode> read(String internalName) {
        for (Path folder : folders) {
            Path file = folder.resolve(internalName + ".class");
            if (Files.isRegularFile(file)) {
                try (InputStream in = Files.newInputStream(file)) {
                    ClassNode node = new ClassNode();
                    new ClassReader(in).accept(node, ClassReader.SKIP_FRAMES);
                    return Optional.of(node);
                } catch (IOException | RuntimeException e) {
                    return Optional.empty();
                }
            }
        }
        return Optional.empty();
    }

    /** The method as declared in the class or the nearest application superclass. */
    Optional<Declared> find(String owner, String name, String desc) {
        String current = owner;
        for (int depth = 0; current != null && depth < 20; depth++) {
            Optional<ClassNode> cls = load(current);
            if (cls.isEmpty()) {
                return Optional.empty();
            }
            for (MethodNode m : cls.get().methods) {
                if (m.name.equals(name) && m.desc.equals(desc)) {
                    return Optional.of(new Declared(cls.get(), m));
                }
            }
            current = cls.get().superName;
        }
        return Optional.empty();
    }

    /** A method and the class that declares it. */
    record Declared(ClassNode owner, MethodNode method) {
    }
}

package dev.pipelinex.scanners.sca;

import java.io.IOException;
import java.util.List;
import java.util.Set;

/** A set of advisories a scan reads: the curated file, an imported store or a folder of OSV files. */
public interface AdvisorySource {

    /** What the data is, e.g. "PipelineX curated advisories". */
    String name();

    /** Where it came from (a file or folder name, or the publisher). */
    String source();

    /** The date of the data (YYYY-MM-DD), null when unknown. */
    String date();

    /** How many advisories the source holds. */
    int count();

    /** A short word for messages: "curated", "imported", … */
    String label();

    /** The advisories that name at least one of the packages ({@code groupId:artifactId}). */
    List<Advisory> advisoriesFor(Set<String> packages) throws IOException;
}

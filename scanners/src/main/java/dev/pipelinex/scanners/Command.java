package dev.pipelinex.scanners;

/** One subcommand of the CLI. */
public interface Command {

    String name();

    /** One line: the arguments and what the command does. */
    String usage();

    /** Returns the exit code: 0 when the command did its work (whatever it found). */
    int run(Args args) throws Exception;
}

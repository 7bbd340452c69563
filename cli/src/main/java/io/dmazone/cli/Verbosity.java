package io.dmazone.cli;

import picocli.CommandLine.Option;

/** {@code -v} and {@code -q}, on every command. */
final class Verbosity {
    @Option(names = {"-v", "--verbose"}, description = "Say more: stack traces of failures, every sample.")
    boolean verbose;

    @Option(names = {"-q", "--quiet"}, description = "Print only results and errors.")
    boolean quiet;

    boolean verbose() {
        return verbose && !quiet;
    }

    boolean quiet() {
        return quiet;
    }
}

package io.dmazone.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** What every subcommand has: its picocli spec (for its output streams) and {@code -v}/{@code -q}. */
abstract class Subcommand implements Callable<Integer>, Dmazone.Verbose {
    @Spec
    CommandSpec spec;

    @Mixin
    Verbosity verbosity;

    @Override
    public Verbosity verbosity() {
        return verbosity;
    }
}

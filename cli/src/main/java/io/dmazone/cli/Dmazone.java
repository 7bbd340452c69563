package io.dmazone.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The {@code dmazone} command. Exit status: {@value #OK} when the command did what was asked,
 * {@value #FAILED} when it could not (a missing host requirement, a failed bind, a QEMU that
 * failed), {@value #USAGE} for bad input, always with one line saying what to do.
 */
@Command(name = "dmazone", mixinStandardHelpOptions = true, versionProvider = Dmazone.Version.class,
        description = {"Give a VM's assigned device a DMA zone, so the host pins the zone and nothing else.", ""},
        subcommands = {CheckCommand.class, DevicesCommand.class, BindCommand.class, UnbindCommand.class,
                PlanCommand.class, LaunchCommand.class, FootprintCommand.class, MatrixCommand.class,
                CommandLine.HelpCommand.class},
        footer = {"", "Exit status: 0 ok, 1 failed, 2 bad usage."})
public final class Dmazone implements Runnable {
    /** Exit status: done. */
    public static final int OK = 0;
    /** Exit status: the command could not do what was asked. */
    public static final int FAILED = 1;
    /** Exit status: bad input. */
    public static final int USAGE = 2;

    @Spec
    CommandSpec spec;

    @Mixin
    Verbosity verbosity;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "name a subcommand: check, devices, bind, unbind, plan, "
                + "launch, footprint, matrix");
    }

    /** Runs the command line and exits with its status. */
    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The command line with dmazone's error handling: one line per error, exit 2 for usage, 1 otherwise. */
    static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Dmazone());
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        cl.setParameterExceptionHandler((e, args) -> {
            CommandLine where = e.getCommandLine();
            PrintWriter err = where.getErr();
            err.println(where.getCommandSpec().qualifiedName() + ": " + e.getMessage() + " (see "
                    + where.getCommandSpec().qualifiedName() + " --help)");
            return USAGE;
        });
        cl.setExecutionExceptionHandler((e, where, parsed) -> {
            PrintWriter err = where.getErr();
            // Validation in the API (sizes, zones, plans) throws IllegalArgumentException: bad input.
            boolean usage = e instanceof IllegalArgumentException;
            err.println(where.getCommandSpec().qualifiedName() + ": " + e.getMessage());
            Object command = where.getCommand();
            if (command instanceof Verbose v && v.verbosity().verbose()) {
                e.printStackTrace(err);
            }
            err.flush();
            return usage ? USAGE : FAILED;
        });
        return cl;
    }

    /** A command that carries {@code -v}/{@code -q}. */
    interface Verbose {
        Verbosity verbosity();
    }

    /** The version from the jar's manifest. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Dmazone.class.getPackage().getImplementationVersion();
            return new String[] {"dmazone " + (v == null ? "(built from source)" : v)};
        }
    }
}

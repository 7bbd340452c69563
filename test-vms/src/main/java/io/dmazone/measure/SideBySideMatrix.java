package io.dmazone.measure;

import io.dmazone.vm.HubLane;
import io.dmazone.vm.InsnCounter;
import io.dmazone.vm.NestedResult;
import io.dmazone.vm.NestedSpec;
import io.dmazone.vm.SideBySideRun;
import io.dmazone.vm.VmException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The matrix's modes measured side by side: one L1 holds every mode's L2 (lane i: mode i's
 * e1000e on hub i, subnet 10.78.i.0/24), and each round runs every mode once, in a fresh
 * shuffled order, while the other L2s idle; so round r of every mode ran minutes apart at most,
 * on the same L1.
 *
 * @param measured     the modes that ran to the end, in the order asked for
 * @param failed       the modes that did not, with the first line of why, in the order asked for
 * @param roundOrders  the order of the modes' turns in each round
 * @param idleCpuShare by mode: the CPU its waiting L2's QEMU took during the other modes' turns,
 *                     as a share of one of L1's CPUs (the waiting L2s should be quiet), in lane order
 * @param runDirectory where the run's files are
 */
public record SideBySideMatrix(List<ModeMeasurement> measured, Map<MatrixMode, String> failed,
        List<List<MatrixMode>> roundOrders, Map<MatrixMode, Double> idleCpuShare, Path runDirectory) {

    public SideBySideMatrix {
        measured = List.copyOf(measured);
        // unmodifiable, in the order given (Map.copyOf would lose it)
        failed = Collections.unmodifiableMap(new LinkedHashMap<>(failed));
        roundOrders = List.copyOf(roundOrders);
        idleCpuShare = Collections.unmodifiableMap(new LinkedHashMap<>(idleCpuShare));
    }

    /**
     * Runs {@code modes} side by side, {@code rounds} rounds of iperf3 TCP {@code seconds} each way,
     * with {@code counter} in every L2's QEMU (null for none), telling {@code progress} each step
     * of L1's launcher as it happens.
     *
     * @throws VmException when L1 itself did not run (a mode's own failure is in {@link #failed})
     */
    public static SideBySideMatrix run(String name, List<MatrixMode> modes, int seconds, int rounds,
            InsnCounter counter, Consumer<String> progress) {
        List<NestedSpec> lanes = new ArrayList<>();
        Map<String, MatrixMode> byLane = new LinkedHashMap<>();
        for (int i = 0; i < modes.size(); i++) {
            MatrixMode mode = modes.get(i);
            String lane = mode.slug();
            lanes.add(mode.laneSpec(lane, seconds, rounds, new HubLane(i), modes.size(), counter));
            byLane.put(lane, mode);
        }
        SideBySideRun.Outcome outcome = SideBySideRun.run(name, lanes, rounds, MatrixMode.turnTimeout(seconds),
                progress);
        List<ModeMeasurement> measured = new ArrayList<>();
        for (NestedResult result : outcome.results()) {
            measured.add(ModeMeasurement.of(byLane.get(result.name()), result));
        }
        Map<MatrixMode, String> failed = new LinkedHashMap<>();
        outcome.failures().forEach((lane, e) -> failed.put(byLane.get(lane),
                e.getMessage().lines().findFirst().orElse(e.toString())));
        List<List<MatrixMode>> orders = outcome.roundOrders().stream()
                .map(order -> order.stream().map(byLane::get).toList()).toList();
        Map<MatrixMode, Double> idle = new LinkedHashMap<>();
        outcome.idleCpuShare().forEach((lane, share) -> idle.put(byLane.get(lane), share));
        return new SideBySideMatrix(measured, failed, orders, idle, outcome.runDirectory());
    }
}

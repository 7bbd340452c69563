package io.dmazone.measure;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.ToDoubleBiFunction;
import java.util.function.ToDoubleFunction;

/**
 * The instructions one mode's L2 executed per byte moved in one direction, over its rounds: a
 * cost in units that do not depend on how loaded the machine was.
 *
 * @param mode      the mode's label
 * @param direction L1>L2 (L2 receives) or L2>L1 (L2 sends)
 * @param rounds    the rounds counted in that direction
 * @param median    the median over those rounds
 * @param low       the lower bound of its distribution-free 95 % interval, NaN under 6 rounds
 * @param high      the upper bound, NaN likewise
 * @param byPart    per part (user, kernel, memcpy, ...; see {@link InsnCounts}), the median
 *                  over the rounds of that part's instructions per byte
 */
public record InstructionsPerByte(String mode, String direction, int rounds, double median, double low,
        double high, Map<String, Double> byPart) {

    public InstructionsPerByte {
        byPart = Collections.unmodifiableMap(new LinkedHashMap<>(byPart));
    }

    /** Both directions of a mode whose instructions were counted, none otherwise. */
    static List<InstructionsPerByte> of(ModeMeasurement m) {
        if (!m.instructionsCounted()) {
            return List.of();
        }
        return List.of(
                of(m, "L1>L2", TrafficRound::l2RxInstructionsPerByte, TrafficRound::l2RxInstructionsPerByte,
                        TrafficRound::l2RxInsns),
                of(m, "L2>L1", TrafficRound::l2TxInstructionsPerByte, TrafficRound::l2TxInstructionsPerByte,
                        TrafficRound::l2TxInsns));
    }

    private static InstructionsPerByte of(ModeMeasurement m, String direction, ToDoubleFunction<TrafficRound> total,
            ToDoubleBiFunction<TrafficRound, String> part, Function<TrafficRound, InsnCounts> counts) {
        List<Double> perRound = Statistics.finite(m.rounds().stream().map(total::applyAsDouble).toList());
        Statistics.Interval interval = Statistics.medianInterval(perRound);
        Map<String, Double> byPart = new LinkedHashMap<>();
        m.rounds().stream().map(counts).filter(c -> c != null).flatMap(c -> c.byPart().keySet().stream())
                .distinct().forEach(name -> byPart.put(name,
                        Statistics.median(m.rounds(), r -> part.applyAsDouble(r, name))));
        return new InstructionsPerByte(m.mode().label(), direction, perRound.size(), Statistics.median(perRound),
                interval.low(), interval.high(), byPart);
    }
}

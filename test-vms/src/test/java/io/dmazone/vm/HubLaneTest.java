package io.dmazone.vm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class HubLaneTest {
    private static final List<HubLane> ALL = IntStream.range(0, HubLane.MAX_LANES).mapToObj(HubLane::new).toList();

    @Test
    void everyLaneHasItsOwnSubnetMacAndHub() {
        assertThat(ALL).extracting(HubLane::l1Ip).doesNotHaveDuplicates();
        assertThat(ALL).extracting(HubLane::l2Ip).doesNotHaveDuplicates();
        assertThat(ALL).extracting(HubLane::l1Mac).doesNotHaveDuplicates()
                .allSatisfy(mac -> assertThat(mac).matches("52:54:00:78:0[0-7]:01"));
        assertThat(ALL).extracting(l -> l.outerQemuArgs().get(1)).doesNotHaveDuplicates();
    }

    @Test
    void laneTwoIsSubnetTwoOnHubTwo() {
        HubLane lane = new HubLane(2);
        assertThat(lane.l1Ip()).isEqualTo("10.78.2.1");
        assertThat(lane.l2Ip()).isEqualTo("10.78.2.2");
        assertThat(lane.outerQemuArgs()).contains("hubport,id=dmz_lane2_e1000e,hubid=2",
                "hubport,id=dmz_lane2_peer,hubid=2", "virtio-net-pci,netdev=dmz_lane2_peer,mac=52:54:00:78:02:01");
        assertThat(lane.l1Settings()).contains("L1_MAC=52:54:00:78:02:01");
        assertThat(lane.l2Settings(1200)).contains("L2_IP=10.78.2.2", "SYNC_TIMEOUT_S=1200");
    }

    @Test
    void aLaneBeyondTheHubsIsRefusedWithTheRange() {
        assertThatThrownBy(() -> new HubLane(HubLane.MAX_LANES)).hasMessageContaining("must be 0..7");
        assertThatThrownBy(() -> new HubLane(-1)).hasMessageContaining("must be 0..7");
    }
}

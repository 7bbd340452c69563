# L2 command of an edu benchmark run (busybox sh, after ktap.sh and
# l2-lib.sh; EDU_ROUNDS, EDU_TRANSFERS and EDU_ZONE set before it): the
# dmazone test client binds QEMU's edu device, passed through from L1; with
# EDU_ZONE=1 it is attached to dmazone's zone and its round trips use two
# zone buffers taken once, else ordinary memory it maps through the DMA API
# for each transfer (what a stock driver does: under a vIOMMU in strict
# mode each map and unmap is a VFIO call in L1). Then EDU_ROUNDS rounds of
# "bench EDU_TRANSFERS" after one to warm up, each between the console lines "EDU-ROUND R START"
# and "EDU-ROUND R END", which L1 (l1-edu-bench.sh) follows to take its
# figures; L2 idles a second after each line, so that L1 takes them with L2
# quiet (L1 runs with icount and sleep=off: an idle second takes no time).
# shellcheck shell=sh disable=SC2154 # failed is set by ktap.sh, before this file
insmod /lib/modules/dmazone_edu_test.ko
check edu_client_loaded $? "insmod dmazone_edu_test.ko"
edu_bound
check edu_bound $? "${EDU_BDF:-no device bound to dmazone_edu_test}"
if [ "$EDU_ZONE" = 1 ]; then
	edu attach
	check zone_attached $? "$RESULT"
fi
# once unmeasured: the first round's code is new to L2's QEMU, which
# translates it then (seconds of its CPU on top of the round's own)
edu "bench $EDU_TRANSFERS"
check bench_warm_up $? "$RESULT"
for round in $(seq "$EDU_ROUNDS"); do
	echo "EDU-ROUND $round START"
	sleep 1
	edu "bench $EDU_TRANSFERS"
	rc=$?
	echo "EDU-ROUND $round END"
	check "bench_$round" $rc "$RESULT"
	sleep 1
done
ktap_end
exit "$failed"

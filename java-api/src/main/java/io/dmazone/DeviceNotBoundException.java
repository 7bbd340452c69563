package io.dmazone;

/** The device exists but is not bound to vfio-pci, so VFIO cannot hand it out. */
public class DeviceNotBoundException extends DmazoneException {
    private static final long serialVersionUID = 1L;

    private final String address;
    private final String driver;

    /**
     * @param address the device
     * @param driver  its current driver, or null
     */
    public DeviceNotBoundException(String address, String driver) {
        super(address + " is not bound to vfio-pci (" + (driver == null ? "it has no driver" : "it is bound to " + driver)
                + "); bind it first: VfioPciBinding via PciSysfs.bindToVfioPci(), or echo vfio-pci > "
                + "/sys/bus/pci/devices/" + address + "/driver_override and reprobe");
        this.address = address;
        this.driver = driver;
    }

    /** The device. */
    public String address() {
        return address;
    }

    /** Its current driver, or null. */
    public String driver() {
        return driver;
    }
}

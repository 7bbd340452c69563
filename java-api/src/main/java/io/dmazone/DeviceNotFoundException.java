package io.dmazone;

/** No PCI device at the given address, or it is not in the group it was asked from (a wrong BDF). */
public class DeviceNotFoundException extends DmazoneException {
    private static final long serialVersionUID = 1L;

    private final String address;

    /** @param address the address asked for, as written */
    public DeviceNotFoundException(String address, String message) {
        super(message);
        this.address = address;
    }

    /** The address asked for. */
    public String address() {
        return address;
    }
}

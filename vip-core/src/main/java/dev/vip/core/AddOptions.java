package dev.vip.core;

/**
 * How to add a VIP, beyond the address itself.
 *
 * @param noDad                 IFA_F_NODAD: usable at once, no duplicate address detection (IPv6)
 * @param noPrefixRoute         IFA_F_NOPREFIXROUTE: no route for the prefix
 * @param preferredLifetimeSecs null for forever; 0 marks the address deprecated, so that the kernel
 *                              never picks it as a source address
 */
public record AddOptions(boolean noDad, boolean noPrefixRoute, Long preferredLifetimeSecs) {
    public static final AddOptions DEFAULT = new AddOptions(false, false, null);

    public AddOptions {
        if (preferredLifetimeSecs != null && (preferredLifetimeSecs < 0 || preferredLifetimeSecs > 0xffff_ffffL)) {
            throw new InvalidInputException("preferred lifetime must be 0-4294967295 seconds");
        }
    }
}

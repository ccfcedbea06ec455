package dev.pipelinex.intake;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.Optional;

/** Which addresses a clone must never reach: the host itself, private networks, metadata services. */
public final class Addresses {

    private Addresses() {
    }

    /** Why {@code a} is not a public address, or empty when it is. */
    public static Optional<String> forbidden(InetAddress a) {
        byte[] b = a.getAddress();
        if (a instanceof Inet6Address) {
            Optional<InetAddress> embedded = embeddedIpv4(b);
            if (embedded.isPresent()) {
                return forbidden(embedded.get());
            }
            if (b[0] == (byte) 0xfd && b[1] == 0x00 && b[2] == 0x0e && b[3] == (byte) 0xc2
                    && isZero(b, 4, 14) && b[14] == 0x02 && b[15] == 0x54) {
                return Optional.of("a cloud metadata address");
            }
            if ((b[0] & 0xfe) == 0xfc) {
                return Optional.of("a private (unique local, fc00::/7) address");
            }
        } else if (a instanceof Inet4Address) {
            int first = b[0] & 0xff;
            int second = b[1] & 0xff;
            if (first == 169 && second == 254 && (b[2] & 0xff) == 169 && (b[3] & 0xff) == 254) {
                return Optional.of("a cloud metadata address");
            }
            if (first == 0) {
                return Optional.of("an unspecified (0.0.0.0/8) address");
            }
            if (first == 100 && (second & 0xc0) == 64) {
                return Optional.of("a carrier-grade NAT (100.64.0.0/10) address");
            }
            if (first == 255 && second == 255 && (b[2] & 0xff) == 255 && (b[3] & 0xff) == 255) {
                return Optional.of("the broadcast address");
            }
        }
        if (a.isAnyLocalAddress()) {
            return Optional.of("the unspecified address");
        }
        if (a.isLoopbackAddress()) {
            return Optional.of("a loopback address");
        }
        if (a.isLinkLocalAddress()) {
            return Optional.of("a link-local address");
        }
        if (a.isSiteLocalAddress()) {
            return Optional.of("a private address");
        }
        if (a.isMulticastAddress()) {
            return Optional.of("a multicast address");
        }
        return Optional.empty();
    }

    /** The IPv4 address inside an IPv4-mapped, IPv4-compatible or NAT64 (64:ff9b::/96) IPv6 address. */
    private static Optional<InetAddress> embeddedIpv4(byte[] b) {
        boolean mapped = isZero(b, 0, 10) && b[10] == (byte) 0xff && b[11] == (byte) 0xff;
        boolean compatible = isZero(b, 0, 12) && !isZero(b, 12, 16) && !(isZero(b, 12, 15) && b[15] == 1);
        boolean nat64 = b[0] == 0x00 && b[1] == 0x64 && b[2] == (byte) 0xff && b[3] == (byte) 0x9b && isZero(b, 4, 12);
        if (!mapped && !compatible && !nat64) {
            return Optional.empty();
        }
        try {
            return Optional.of(InetAddress.getByAddress(new byte[] {b[12], b[13], b[14], b[15]}));
        } catch (java.net.UnknownHostException e) {
            return Optional.empty();
        }
    }

    private static boolean isZero(byte[] b, int from, int to) {
        for (int i = from; i < to; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return true;
    }
}

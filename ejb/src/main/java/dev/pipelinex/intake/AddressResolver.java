package dev.pipelinex.intake;

import java.net.InetAddress;
import java.net.UnknownHostException;

/** How a host name becomes addresses; the system resolver in service, a fixed table in tests. */
@FunctionalInterface
public interface AddressResolver {

    AddressResolver SYSTEM = InetAddress::getAllByName;

    InetAddress[] resolve(String host) throws UnknownHostException;
}

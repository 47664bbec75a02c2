package io.nodemesh.wireguard.internal;

import io.nodemesh.wireguard.uapi.DeviceState;
import java.util.Optional;

/**
 * What an earlier dataplane left running, as read back on open: the device's peers and the strict-mode table's
 * listing (empty when there is none). The first apply reconciles from this instead of from nothing.
 */
record AdoptedDevice(DeviceState device, Optional<String> strictTable) {}

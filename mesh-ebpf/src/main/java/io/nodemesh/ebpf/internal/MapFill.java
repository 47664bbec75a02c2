package io.nodemesh.ebpf.internal;

import io.nodemesh.api.BackendHealth;
import io.nodemesh.ebpf.EbpfInstallation;
import io.nodemesh.ebpf.bpf.BpfMap;
import io.nodemesh.ebpf.bpf.MapType;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * How full the kernel's keyed maps are, counted in the kernel (the maps the programs write, such as the sockhash, as
 * well as those the agent writes). Arrays and ring buffers have no fill to speak of and are left out.
 */
public final class MapFill {
    private static final Set<MapType> KEYED =
            EnumSet.of(MapType.HASH, MapType.PERCPU_HASH, MapType.LRU_HASH, MapType.LPM_TRIE, MapType.SOCKHASH);

    private MapFill() {}

    public static BackendHealth of(String backend, EbpfInstallation installation) {
        List<BackendHealth.TableFill> tables = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        installation.maps().values().stream()
                .filter(m -> KEYED.contains(m.definition().type()))
                .sorted(java.util.Comparator.comparing(BpfMap::name))
                .forEach(m -> {
                    BackendHealth.TableFill t = new BackendHealth.TableFill(
                            m.name(),
                            m.keys().size(),
                            m.definition().maxEntries(),
                            m.definition().type() == MapType.LRU_HASH);
                    tables.add(t);
                    if (t.nearlyFull()) {
                        problems.add(String.format(
                                "ebpf map %s is %.0f%% full (%d of %d entries); raise its ebpf.max* option",
                                t.name(), 100 * t.fill(), t.entries(), t.capacity()));
                    }
                });
        return new BackendHealth(backend, problems, tables, List.of(), List.of());
    }
}

package io.nodemesh.ebpf.internal.ffm;

import static io.nodemesh.ebpf.internal.ffm.LibbpfFunctions.libbpf_major_version;
import static io.nodemesh.ebpf.internal.ffm.LibbpfFunctions.libbpf_minor_version;
import static io.nodemesh.ebpf.internal.ffm.NativeCalls.rethrow;

import io.nodemesh.ebpf.bpf.LibbpfVersion;
import io.nodemesh.ebpf.bpf.MapDefinition;
import io.nodemesh.ebpf.bpf.MapInfo;
import io.nodemesh.ebpf.bpf.ProgramInfo;
import io.nodemesh.ebpf.internal.seam.Libbpf;
import java.util.List;
import java.util.function.Consumer;

/**
 * The real {@link Libbpf}: FFM downcalls into libbpf.so.1 and libc. Obtain it through {@link NativeSupport}.
 * <p>
 * A facade: each part of the interface is implemented by one class of this package, {@link NativeObjects} (objects,
 * their programs and maps), {@link NativeFds} (pins, fds, info), {@link NativeMaps} (map elements),
 * {@link NativeLinks} (attachment, links, iterators), {@link NativeRings} (ring buffers) and {@link NativeSystem}
 * (statfs, mount, network namespaces); {@link NativeCalls} holds what they share.
 */
public final class NativeLibbpf implements Libbpf {
    private final NativeObjects objects = new NativeObjects();
    private final NativeRings rings = new NativeRings();

    NativeLibbpf() {
        LibbpfLog.install();
    }

    @Override
    public LibbpfVersion version() {
        try {
            return new LibbpfVersion(
                    (int) libbpf_major_version.invokeExact(), (int) libbpf_minor_version.invokeExact());
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    // --- objects ---------------------------------------------------------------------------------------------------

    @Override
    public long openObject(byte[] elf, String name, int logSize, String pinRoot) {
        return objects.openObject(elf, name, logSize, pinRoot);
    }

    @Override
    public void loadObject(long object) {
        objects.loadObject(object);
    }

    @Override
    public String verifierLog(long object) {
        return objects.verifierLog(object);
    }

    @Override
    public String lastFailedProgram() {
        return objects.lastFailedProgram();
    }

    @Override
    public void closeObject(long object) {
        objects.closeObject(object);
    }

    @Override
    public List<Long> programs(long object) {
        return objects.programs(object);
    }

    @Override
    public List<Long> maps(long object) {
        return objects.maps(object);
    }

    @Override
    public String programName(long program) {
        return NativeObjects.programName(program);
    }

    @Override
    public String programSection(long program) {
        return NativeObjects.programSection(program);
    }

    @Override
    public int programType(long program) {
        return NativeObjects.programType(program);
    }

    @Override
    public int programFd(long program) {
        return NativeObjects.programFd(program);
    }

    @Override
    public MapDefinition mapDefinition(long map) {
        return NativeObjects.mapDefinition(map);
    }

    @Override
    public int mapFd(long map) {
        return NativeObjects.mapFd(map);
    }

    @Override
    public void setMaxEntries(long map, int entries) {
        NativeObjects.setMaxEntries(map, entries);
    }

    @Override
    public void reuseMapFd(long map, int fd) {
        NativeObjects.reuseMapFd(map, fd);
    }

    // --- fds, pins, info -------------------------------------------------------------------------------------------

    @Override
    public int openPinned(String path) {
        return NativeFds.openPinned(path);
    }

    @Override
    public void pin(int fd, String path) {
        NativeFds.pin(fd, path);
    }

    @Override
    public void unpin(String path) {
        NativeFds.unpin(path);
    }

    @Override
    public long filesystemType(String path) {
        return NativeSystem.filesystemType(path);
    }

    @Override
    public int openDirectory(String path) {
        return NativeFds.openDirectory(path);
    }

    @Override
    public void closeFd(int fd) {
        NativeFds.closeFd(fd);
    }

    @Override
    public MapInfo mapInfo(int mapFd) {
        return NativeFds.mapInfo(mapFd);
    }

    @Override
    public ProgramInfo programInfo(int programFd) {
        return NativeFds.programInfo(programFd);
    }

    @Override
    public int enableRunStats() {
        return NativeFds.enableRunStats();
    }

    // --- map operations --------------------------------------------------------------------------------------------

    @Override
    public boolean lookup(int mapFd, byte[] key, byte[] value) {
        return NativeMaps.lookup(mapFd, key, value);
    }

    @Override
    public void update(int mapFd, byte[] key, byte[] value, long flags) {
        NativeMaps.update(mapFd, key, value, flags);
    }

    @Override
    public boolean delete(int mapFd, byte[] key) {
        return NativeMaps.delete(mapFd, key);
    }

    @Override
    public boolean nextKey(int mapFd, byte[] key, byte[] next) {
        return NativeMaps.nextKey(mapFd, key, next);
    }

    @Override
    public void updateBatch(int mapFd, byte[] keys, byte[] values, int count, long flags) {
        NativeMaps.updateBatch(mapFd, keys, values, count, flags);
    }

    @Override
    public int deleteBatch(int mapFd, byte[] keys, int count) {
        return NativeMaps.deleteBatch(mapFd, keys, count);
    }

    @Override
    public int lookupBatch(int mapFd, byte[] in, byte[] out, byte[] keys, byte[] values, int count) {
        return NativeMaps.lookupBatch(mapFd, in, out, keys, values, count);
    }

    // --- attachment ------------------------------------------------------------------------------------------------

    @Override
    public long attachCgroup(long program, int cgroupFd) {
        return NativeLinks.attachCgroup(program, cgroupFd);
    }

    @Override
    public void attachProgram(int programFd, int targetFd, int attachType, int flags) {
        NativeLinks.attachProgram(programFd, targetFd, attachType, flags);
    }

    @Override
    public void detachProgram(int programFd, int targetFd, int attachType) {
        NativeLinks.detachProgram(programFd, targetFd, attachType);
    }

    @Override
    public int linkFd(long link) {
        return NativeLinks.linkFd(link);
    }

    @Override
    public void pinLink(long link, String path) {
        NativeLinks.pinLink(link, path);
    }

    @Override
    public void unpinLink(long link) {
        NativeLinks.unpinLink(link);
    }

    @Override
    public long openLink(String path) {
        return NativeLinks.openLink(path);
    }

    @Override
    public void updateLink(long link, long program) {
        NativeLinks.updateLink(link, program);
    }

    @Override
    public void disconnectLink(long link) {
        NativeLinks.disconnectLink(link);
    }

    @Override
    public void destroyLink(long link) {
        NativeLinks.destroyLink(link);
    }

    // --- iterators -------------------------------------------------------------------------------------------------

    @Override
    public long attachIter(long program) {
        return NativeLinks.attachIter(program);
    }

    @Override
    public byte[] runIter(long link, String netnsPath) {
        return NativeLinks.runIter(link, netnsPath);
    }

    // --- ring buffers ----------------------------------------------------------------------------------------------

    @Override
    public long openRing(int mapFd, Consumer<byte[]> sink) {
        return rings.openRing(mapFd, sink);
    }

    @Override
    public int pollRing(long ring, int timeoutMillis) {
        return rings.pollRing(ring, timeoutMillis);
    }

    @Override
    public void closeRing(long ring) {
        rings.closeRing(ring);
    }

    // --- system ----------------------------------------------------------------------------------------------------

    @Override
    public void mountBpffs(String path) {
        NativeSystem.mountBpffs(path);
    }

    @Override
    public long netnsCookie(String netnsPath) {
        return NativeSystem.netnsCookie(netnsPath);
    }
}

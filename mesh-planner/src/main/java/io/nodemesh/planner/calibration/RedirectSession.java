package io.nodemesh.planner.calibration;

/** Holds the redirect installation of one calibration, if any, so try-with-resources removes it (after the daemons). */
final class RedirectSession implements AutoCloseable {
    RedirectPath.Installed installed;

    @Override
    public void close() {
        if (installed != null) installed.close();
        installed = null;
    }
}

package dev.jrnn.optim.schedules;

/** Argument checks the schedules share. */
final class Schedules {
    private Schedules() {}

    static double positive(String schedule, String what, double v) {
        if (!(v > 0) || !Double.isFinite(v)) {
            throw new IllegalArgumentException(schedule + ": " + what + " must be a positive finite number, got " + v);
        }
        return v;
    }
}

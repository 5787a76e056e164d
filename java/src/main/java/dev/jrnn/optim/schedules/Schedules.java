package dev.jrnn.optim.schedules;

import java.util.List;
import java.util.Map;

/** Argument checks the schedules share. */
final class Schedules {
    private Schedules() {}

    private static final String KNOWN = "ExponentialDecay, PiecewiseConstantDecay or CosineDecay";

    static LearningRateSchedule deserialize(Map<?, ?> m) {
        if (m == null) throw new IllegalArgumentException("learning-rate schedule config is null: expected one of " + KNOWN);
        Object cls = m.get("class_name");
        if (!(m.get("config") instanceof Map<?, ?> c)) {
            throw new IllegalArgumentException("learning-rate schedule " + cls + ": 'config' should be an object, got " + m.get("config"));
        }
        if (!(cls instanceof String name)) throw new IllegalArgumentException("learning-rate schedule: class_name missing, expected " + KNOWN);
        return switch (name) {
            case "ExponentialDecay" -> new ExponentialDecay(number(name, c, "initial_learning_rate"), number(name, c, "decay_steps"),
                    number(name, c, "decay_rate")).staircase(Boolean.TRUE.equals(c.get("staircase")));
            case "PiecewiseConstantDecay" -> {
                List<?> b = list(name, c, "boundaries"), v = list(name, c, "values");
                long[] bs = new long[b.size()];
                for (int i = 0; i < bs.length; i++) {
                    double x = number(name, "boundaries", b.get(i));
                    if (x != Math.rint(x)) throw new IllegalArgumentException(name + ": boundaries must be whole steps, got " + x);
                    bs[i] = (long) x;
                }
                double[] vs = new double[v.size()];
                for (int i = 0; i < vs.length; i++) vs[i] = number(name, "values", v.get(i));
                yield new PiecewiseConstantDecay(bs, vs);
            }
            case "CosineDecay" -> {
                CosineDecay d = new CosineDecay(number(name, c, "initial_learning_rate"), number(name, c, "decay_steps"));
                if (c.get("alpha") != null) d.alpha(number(name, c, "alpha"));
                if (c.get("warmup_target") != null) {
                    d.warmup(number(name, c, "warmup_target"), c.get("warmup_steps") == null ? 0 : number(name, c, "warmup_steps"));
                }
                yield d;
            }
            default -> throw new IllegalArgumentException("learning-rate schedule " + name + " is not one jrnn has: expected " + KNOWN);
        };
    }

    private static double number(String schedule, Map<?, ?> c, String key) {
        return number(schedule, key, c.get(key));
    }

    private static double number(String schedule, String key, Object v) {
        if (!(v instanceof Number n)) throw new IllegalArgumentException(schedule + ": '" + key + "' should be a number, got " + v);
        return n.doubleValue();
    }

    private static List<?> list(String schedule, Map<?, ?> c, String key) {
        if (!(c.get(key) instanceof List<?> l)) throw new IllegalArgumentException(schedule + ": '" + key + "' should be a list, got " + c.get(key));
        return l;
    }

    static double positive(String schedule, String what, double v) {
        if (!(v > 0) || !Double.isFinite(v)) {
            throw new IllegalArgumentException(schedule + ": " + what + " must be a positive finite number, got " + v);
        }
        return v;
    }
}

package dev.jrnn.io.keras;

/** A Keras file whose content does not fit what Keras writes; {@link KerasImport} reports it as an IOException. */
class KerasFormatException extends RuntimeException {
    KerasFormatException(String message) {
        super(message);
    }

    /** {@code cause}: the library's exception (jhdf's) behind it. */
    KerasFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}

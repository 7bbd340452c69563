package io.dmazone;

/** Keeps the first of several failures during teardown, the later ones suppressed in it. */
public final class Failures {
    private Failures() {
    }

    /**
     * Combines a teardown step's failure with the ones before it.
     *
     * @param first the first failure so far, or null
     * @param next  this step's failure
     * @return {@code next} if it is the first, else {@code first} with {@code next} suppressed in it
     */
    public static <T extends Throwable> T keep(T first, T next) {
        if (first == null) {
            return next;
        }
        if (first != next) {
            first.addSuppressed(next);
        }
        return first;
    }
}

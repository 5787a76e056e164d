package dev.jrnn.layers;

import org.junit.jupiter.api.Test;

import java.io.InputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * {@link OwnClasses}: which classes are the user's own. In a fat (shaded) jar the user's classes and jrnn's share one code
 * source, so the code source alone cannot tell them apart: the package does (it made every user layer jrnn's there, so
 * cloneModel, save and WeightRules gave a custom layer's model the messages and name checks of a built-in one).
 */
class OwnClassesTest {
    private static final String FAT = "com.example.fat.FatLayer";

    /** FatLayer's bytes defined again with jrnn's protection domain: the class as a fat jar holding both would load it. */
    private static Class<?> packedWithJrnn() throws Exception {
        byte[] bytes;
        try (InputStream in = OwnClassesTest.class.getClassLoader().getResourceAsStream(FAT.replace('.', '/') + ".class")) {
            bytes = in.readAllBytes();
        }
        ClassLoader fat = new ClassLoader(OwnClassesTest.class.getClassLoader()) {
            @Override
            protected Class<?> loadClass(String n, boolean resolve) throws ClassNotFoundException {
                if (!n.equals(FAT)) return super.loadClass(n, resolve);
                synchronized (getClassLoadingLock(n)) {
                    Class<?> c = findLoadedClass(n);
                    return c != null ? c : defineClass(n, bytes, 0, bytes.length, Layer.class.getProtectionDomain());
                }
            }
        };
        return fat.loadClass(FAT);
    }

    @Test
    void aUserClassPackedInJrnnsJarIsStillTheUsers() throws Exception {
        Class<?> c = packedWithJrnn();
        assertEquals(Layer.class.getProtectionDomain().getCodeSource().getLocation(), c.getProtectionDomain().getCodeSource().getLocation());
        assertEquals(Layer.class, OwnClasses.ownBase(c));
        assertEquals(Layer.class, OwnClasses.ownBase(com.example.fat.FatLayer.class));   // from the test classes' folder
        assertNull(OwnClasses.ownBase(Dense.class));
        assertNull(OwnClasses.ownBase(LSTM.class));
    }
}

package dev.medallion.support;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.function.BooleanSupplier;

import com.oracle.svm.core.annotate.Alias;
import com.oracle.svm.core.annotate.Substitute;
import com.oracle.svm.core.annotate.TargetClass;

/**
 * Native executables only: the key of GraalVM's resource table, written out. Every resource lookup (each
 * {@code ServiceLoader}, each config file) compares keys with this record's generated {@code equals}, which a native
 * executable runs through interpreted method handles, reading each component reflectively: about a seventh of a
 * service's start-up, before it listens (docs/native.md). This {@code equals} means the same (the same module, an
 * equal name) and leaves {@code hashCode} alone, so the table built into the executable still finds its keys.
 * Applied only when the builder's key is that record, so another builder version builds unchanged.
 */
@TargetClass(className = ResourceKeyEquals.KeyIsTheKnownRecord.KEY, onlyWith = ResourceKeyEquals.KeyIsTheKnownRecord.class)
final class ResourceKeyEquals {
    @Alias
    private Module module;
    @Alias
    private String resource;

    @Substitute
    @Override
    public boolean equals(Object other) {
        if (this == other) {
            return true;
        }
        // the builder maps this class to the record, so this is the record's own type test
        if (!(other instanceof ResourceKeyEquals)) {
            return false;
        }
        ResourceKeyEquals that = (ResourceKeyEquals) other;
        return module == that.module && Objects.equals(resource, that.resource);
    }

    /** True when the builder has the record this class was written for: (Module module, String resource). */
    static final class KeyIsTheKnownRecord implements BooleanSupplier {
        static final String KEY = "com.oracle.svm.core.jdk.Resources$ModuleInstanceResourceKey";

        @Override
        public boolean getAsBoolean() {
            try {
                Class<?> key = Class.forName(KEY, false, ResourceKeyEquals.class.getClassLoader());
                return key.isRecord() && Arrays.stream(key.getRecordComponents())
                        .map(c -> c.getName() + ":" + c.getType().getName())
                        .toList().equals(List.of("module:java.lang.Module", "resource:java.lang.String"));
            } catch (ClassNotFoundException e) {
                return false;
            }
        }
    }
}

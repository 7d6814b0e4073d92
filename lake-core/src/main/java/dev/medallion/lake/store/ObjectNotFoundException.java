package dev.medallion.lake.store;

import dev.medallion.lake.LakeException;

/** The object a caller asked for does not exist. */
public class ObjectNotFoundException extends LakeException {

    public ObjectNotFoundException(String key) {
        super("Cannot read object '" + key + "': it does not exist");
    }
}

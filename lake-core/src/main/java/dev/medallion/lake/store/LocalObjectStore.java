package dev.medallion.lake.store;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.stream.Stream;

import dev.medallion.lake.LakeException;

/**
 * A store on a local file system: object {@code k} is the file {@code root/k}, so local engines read the lake in
 * place. New objects are staged under {@code root/.staging} and moved into place atomically on close; metadata sits
 * beside the data in {@code root/.metadata}. Both folders are hidden from listings.
 */
public final class LocalObjectStore implements ObjectStore, SupportsPrefixListing {
    private static final String STAGING = ".staging";
    private static final String METADATA = ".metadata";

    private final Path root;

    public LocalObjectStore(Path root) {
        this.root = root.toAbsolutePath().normalize();
        try {
            Files.createDirectories(this.root.resolve(STAGING));
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create local store at " + root, e);
        }
    }

    @Override
    public InputStream open(String key, long offset) {
        Path file = file(key);
        // a folder is only the common prefix of other keys, not an object
        if (Files.isDirectory(file)) {
            throw new ObjectNotFoundException(key);
        }
        try {
            FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
            channel.position(offset);
            return Channels.newInputStream(channel);
        } catch (NoSuchFileException e) {
            throw new ObjectNotFoundException(key);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read object '" + key + "'", e);
        }
    }

    @Override
    public Optional<ObjectInfo> stat(String key) {
        Path file = file(key);
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        try {
            return Optional.of(new ObjectInfo(key, Files.size(file), Files.getLastModifiedTime(file).toInstant(),
                    readMetadata(key)));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot stat object '" + key + "'", e);
        }
    }

    @Override
    public ObjectWriter create(String key, Map<String, String> metadata) {
        Path target = file(key);
        try {
            return new StagedObjectWriter(root.resolve(STAGING)) {
                @Override
                protected void publish(Path staged) throws IOException {
                    Files.createDirectories(target.getParent());
                    writeMetadata(key, metadata);
                    Files.move(staged, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                }
            };
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create object '" + key + "'", e);
        }
    }

    /** A hard link fails if the target exists, atomically, where a move would check first and then replace. */
    @Override
    public boolean createIfAbsent(String key, byte[] content) {
        Path target = file(key);
        Path staged = null;
        try {
            staged = Files.createTempFile(root.resolve(STAGING), "once-", ".tmp");
            Files.write(staged, content);
            Files.createDirectories(target.getParent());
            Files.deleteIfExists(metadataFile(key));
            Files.createLink(target, staged);
            return true;
        } catch (FileAlreadyExistsException e) {
            return false;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create object '" + key + "'", e);
        } finally {
            if (staged != null) {
                try {
                    Files.deleteIfExists(staged);
                } catch (IOException e) {
                    // a leftover in the staging folder is invisible to readers
                }
            }
        }
    }

    @Override
    public void delete(String key) {
        Path file = file(key);
        try {
            if (!Files.isDirectory(file)) {
                Files.deleteIfExists(file);
            }
            Files.deleteIfExists(metadataFile(key));
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot delete object '" + key + "'", e);
        }
    }

    @Override
    public Stream<ObjectInfo> list(String prefix) {
        ObjectKeys.validatePrefix(prefix);
        // walk the deepest folder the prefix names, then filter by the rest of it
        int slash = prefix.lastIndexOf('/');
        Path start = slash < 0 ? root : root.resolve(prefix.substring(0, slash));
        if (!Files.isDirectory(start)) {
            return Stream.empty();
        }
        try {
            return Files.walk(start)
                    .filter(Files::isRegularFile)
                    .map(p -> root.relativize(p).toString().replace('\\', '/'))
                    .filter(k -> k.startsWith(prefix) && !k.startsWith(STAGING + "/") && !k.startsWith(METADATA + "/"))
                    .sorted()
                    .map(k -> {
                        Path file = root.resolve(k);
                        try {
                            return new ObjectInfo(k, Files.size(file), Files.getLastModifiedTime(file).toInstant(),
                                    Map.of());
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                    });
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot list '" + prefix + "'", e);
        }
    }

    private Path file(String key) {
        ObjectKeys.validate(key);
        if (key.equals(STAGING) || key.startsWith(STAGING + "/") || key.equals(METADATA)
                || key.startsWith(METADATA + "/")) {
            throw new LakeException("Cannot use object key '" + key + "': it is reserved by the local store");
        }
        return root.resolve(key);
    }

    private Path metadataFile(String key) {
        return root.resolve(METADATA).resolve(key + ".properties");
    }

    private void writeMetadata(String key, Map<String, String> metadata) throws IOException {
        Path file = metadataFile(key);
        if (metadata.isEmpty()) {
            Files.deleteIfExists(file);
            return;
        }
        Files.createDirectories(file.getParent());
        var properties = new Properties();
        properties.putAll(metadata);
        try (OutputStream out = Files.newOutputStream(file)) {
            properties.store(out, null);
        }
    }

    private Map<String, String> readMetadata(String key) throws IOException {
        Path file = metadataFile(key);
        if (!Files.isRegularFile(file)) {
            return Map.of();
        }
        var properties = new Properties();
        try (InputStream in = Files.newInputStream(file)) {
            properties.load(in);
        }
        var result = new java.util.TreeMap<String, String>();
        properties.forEach((k, v) -> result.put((String) k, (String) v));
        return result;
    }
}

package dev.vip.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.lang.module.ModuleDescriptor;
import java.lang.reflect.Modifier;
import java.net.JarURLConnection;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.jar.JarFile;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The public API of every vip module (the public types of the packages its module-info exports), as the
 * compiled classes have it, against the listing in ARCHITECTURE.md: a type made public, or one that
 * stopped being, fails here until the listing (one screen per module) says so.
 */
class PublicApiTest {
    private static final String BEGIN = "<!-- public-api -->";
    private static final String END = "<!-- /public-api -->";

    @Test
    void theListingInArchitectureMdIsTheCompiledOne() throws Exception {
        String doc = Files.readString(Path.of(System.getProperty("user.dir")).resolve("../ARCHITECTURE.md"));
        int from = doc.indexOf(BEGIN);
        int to = doc.indexOf(END);
        assertTrue(from >= 0 && to > from, "ARCHITECTURE.md has no " + BEGIN + " ... " + END + " block");
        String listed = doc.substring(from + BEGIN.length(), to).lines()
                .filter(l -> !l.isBlank() && !l.startsWith("```")).collect(Collectors.joining("\n"));
        assertEquals(listed, compiled(), "the public API changed: update ARCHITECTURE.md's listing (or the code)");
    }

    /** One line per exported package: "module package: Type (Nested, ...), ...". */
    private static String compiled() throws IOException, URISyntaxException, ClassNotFoundException {
        List<String> lines = new ArrayList<>();
        ClassLoader loader = PublicApiTest.class.getClassLoader();
        TreeMap<String, URL> modules = new TreeMap<>();
        for (URL url : Collections.list(loader.getResources("module-info.class"))) {
            try (InputStream in = url.openStream()) {
                String name = ModuleDescriptor.read(in).name();
                if (name.startsWith("dev.vip.")) {
                    modules.put(name, url);
                }
            }
        }
        assertEquals(Set.of("dev.vip.cli", "dev.vip.core", "dev.vip.hook", "dev.vip.netlink"), modules.keySet());
        for (var m : modules.entrySet()) {
            ModuleDescriptor d;
            try (InputStream in = m.getValue().openStream()) {
                d = ModuleDescriptor.read(in);
            }
            Set<String> classes = classNames(m.getValue());
            for (String pkg : new TreeSet<>(d.exports().stream().map(ModuleDescriptor.Exports::source).toList())) {
                List<String> types = new ArrayList<>();
                for (String c : classes) {
                    if (c.startsWith(pkg + ".") && c.indexOf('.', pkg.length() + 1) < 0 && c.indexOf('$') < 0) {
                        Class<?> type = Class.forName(c, false, loader);
                        if (Modifier.isPublic(type.getModifiers())) {
                            types.add(describe(type));
                        }
                    }
                }
                lines.add(m.getKey() + " " + pkg + ": " + String.join(", ", types));
            }
        }
        return String.join("\n", lines);
    }

    /** "Type" or "Type (Nested, Nested)" for its public member types. */
    private static String describe(Class<?> type) {
        List<String> nested = Stream.of(type.getDeclaredClasses()).filter(c -> Modifier.isPublic(c.getModifiers()))
                .map(Class::getSimpleName).sorted().toList();
        return type.getSimpleName() + (nested.isEmpty() ? "" : " (" + String.join(", ", nested) + ")");
    }

    /** The classes beside a module-info.class, in a jar or a classes directory. */
    private static Set<String> classNames(URL moduleInfo) throws IOException, URISyntaxException {
        Set<String> out = new TreeSet<>();
        if (moduleInfo.getProtocol().equals("jar")) {
            JarURLConnection connection = (JarURLConnection) moduleInfo.openConnection();
            connection.setUseCaches(false); // a JarFile of our own: closing it must not close the class loader's
            try (JarFile jar = connection.getJarFile()) {
                jar.stream().map(e -> e.getName()).filter(n -> n.endsWith(".class") && !n.equals("module-info.class"))
                        .forEach(n -> out.add(n.substring(0, n.length() - 6).replace('/', '.')));
            }
        } else {
            Path root = Path.of(moduleInfo.toURI()).getParent();
            try (Stream<Path> files = Files.walk(root)) {
                files.filter(p -> p.toString().endsWith(".class") && !p.getFileName().toString().equals("module-info.class"))
                        .forEach(p -> {
                            String rel = root.relativize(p).toString();
                            out.add(rel.substring(0, rel.length() - 6).replace('/', '.'));
                        });
            }
        }
        return out;
    }
}

package io.rotationdrag.diffusion.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.source.tree.CompilationUnitTree;
import com.sun.source.tree.MethodInvocationTree;
import com.sun.source.util.JavacTask;
import com.sun.source.util.TreePathScanner;
import com.sun.source.util.Trees;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import javax.lang.model.element.Element;
import javax.lang.model.element.ElementKind;
import javax.lang.model.element.ExecutableElement;
import javax.lang.model.element.TypeElement;
import javax.lang.model.util.Elements;
import javax.lang.model.util.Types;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;

/**
 * Enforces {@link OwnedArrays}' rule on the engine's sources with the Java compiler's own type attribution (so a
 * {@code float} variable passed to {@code mul} is caught as surely as a literal): no {@code NDManager.create} outside
 * {@link OwnedArrays}, and no {@code mul}/{@code div}/{@code muli}/{@code divi}/{@code pow}/{@code maximum}/
 * {@code minimum} overload that takes a {@code java.lang.Number}. Each such call hands libtorch a tensor over a
 * Java buffer that a GC may free while autograd still reads it.
 */
class OwnedArraysRuleTest {

    private static final Set<String> NUMBER_OPS = Set.of("mul", "div", "muli", "divi", "pow", "powi", "maximum",
            "minimum", "rdiv", "rdivi", "rpow", "rpowi");

    @Test
    void engineSourcesCreateNoJavaBackedArrays() throws IOException {
        Path root = Path.of("src/main/java");
        List<Path> files;
        try (Stream<Path> s = Files.walk(root)) {
            files = s.filter(p -> p.toString().endsWith(".java")).toList();
        }
        assertTrue(files.size() > 100, "found the engine's sources (" + files.size() + " files)");
        List<String> violations = scan(files);
        assertEquals(List.of(), violations, "Java-backed NDArrays outside OwnedArrays (use OwnedArrays.of/mul/div)");
    }

    @Test
    void theScanFindsEachKindOfViolation(@org.junit.jupiter.api.io.TempDir Path tmp) throws IOException {
        Path f = tmp.resolve("Bad.java");
        Files.writeString(f, """
                import ai.djl.ndarray.NDArray;
                import ai.djl.ndarray.NDManager;
                class Bad {
                    NDArray a(NDManager m, NDArray x, float s) {
                        NDArray y = x.mul(s).div(2.0);
                        NDArray ok = x.add(1f).mul(x);
                        return m.create(new float[] {1f}).mul(y).muli(3);
                    }
                }
                """);
        List<String> v = scan(List.of(f));
        assertEquals(List.of("Bad.java:5 NDArray.div(java.lang.Number)", "Bad.java:5 NDArray.mul(java.lang.Number)",
                "Bad.java:7 NDArray.muli(java.lang.Number)", "Bad.java:7 NDManager.create(float[])"),
                v.stream().sorted().toList());
    }

    static List<String> scan(List<Path> files) throws IOException {
        JavaCompiler jc = ToolProvider.getSystemJavaCompiler();
        DiagnosticCollector<JavaFileObject> diags = new DiagnosticCollector<>();
        try (StandardJavaFileManager fm = jc.getStandardFileManager(diags, null, StandardCharsets.UTF_8)) {
            JavacTask task = (JavacTask) jc.getTask(null, fm, diags,
                    List.of("-proc:none", "-classpath", System.getProperty("java.class.path")), null,
                    fm.getJavaFileObjectsFromPaths(files));
            Iterable<? extends CompilationUnitTree> units = task.parse();
            task.analyze();
            Trees trees = Trees.instance(task);
            Elements elements = task.getElements();
            Types types = task.getTypes();
            TypeElement ndArray = elements.getTypeElement("ai.djl.ndarray.NDArray");
            TypeElement ndManager = elements.getTypeElement("ai.djl.ndarray.NDManager");
            List<String> out = new ArrayList<>();
            for (CompilationUnitTree unit : units) {
                String file = unit.getSourceFile().getName();
                if (file.endsWith("OwnedArrays.java")) {
                    continue;
                }
                new TreePathScanner<Void, Void>() {
                    @Override
                    public Void visitMethodInvocation(MethodInvocationTree node, Void unused) {
                        Element e = trees.getElement(getCurrentPath());
                        if (e != null && e.getKind() == ElementKind.METHOD) {
                            ExecutableElement m = (ExecutableElement) e;
                            TypeElement owner = (TypeElement) m.getEnclosingElement();
                            String name = m.getSimpleName().toString();
                            boolean onArray = types.isSubtype(types.erasure(owner.asType()),
                                    types.erasure(ndArray.asType()));
                            boolean onManager = types.isSubtype(types.erasure(owner.asType()),
                                    types.erasure(ndManager.asType()));
                            boolean numberArg = m.getParameters().size() == 1
                                    && m.getParameters().get(0).asType().toString().equals("java.lang.Number");
                            if ((onArray && NUMBER_OPS.contains(name) && numberArg)
                                    || (onManager && name.equals("create"))) {
                                long line = unit.getLineMap().getLineNumber(
                                        trees.getSourcePositions().getStartPosition(unit, node));
                                out.add(Path.of(file).getFileName() + ":" + line + " " + owner.getSimpleName()
                                        + "." + m);
                            }
                        }
                        return super.visitMethodInvocation(node, unused);
                    }
                }.scan(unit, null);
            }
            return out;
        }
    }
}

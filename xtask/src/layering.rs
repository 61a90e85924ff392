//! Checks that core's top-level modules import each other in one direction
//! only (ARCHITECTURE.md's layers), that the bindings stay off core's
//! REST and SQL layers, that core's SQL lives only under
//! `core/src/store/`, and that no panic of core or the bindings formats a
//! value into its message. Run as tests, so CI enforces them.

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, BTreeSet};
    use std::path::Path;

    use crate::steps::workspace_root;

    /// Every `.rs` file below `dir`, with its path relative to `root`.
    fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                rust_files(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }

    /// The code of a file without its `//` comments.
    fn code_of(path: &Path) -> String {
        std::fs::read_to_string(path)
            .unwrap()
            .lines()
            .map(|line| line.split("//").next().unwrap_or(""))
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// Names of core modules that `code` refers to as `crate::name`,
    /// also inside `use crate::{a, b::c}`.
    fn referenced_modules(code: &str, modules: &BTreeSet<String>) -> BTreeSet<String> {
        let mut found = BTreeSet::new();
        for (i, _) in code.match_indices("crate::") {
            let rest = &code[i + "crate::".len()..];
            if let Some(group) = rest.strip_prefix('{') {
                let inner = group.split('}').next().unwrap_or("");
                for part in inner.split(',') {
                    let name: String = part
                        .trim()
                        .chars()
                        .take_while(|c| c.is_ascii_lowercase() || *c == '_')
                        .collect();
                    found.insert(name);
                }
            } else {
                let name: String = rest
                    .chars()
                    .take_while(|c| c.is_ascii_lowercase() || *c == '_')
                    .collect();
                found.insert(name);
            }
        }
        found.retain(|name| modules.contains(name));
        found
    }

    #[test]
    fn core_modules_import_each_other_in_one_direction_only() {
        let src = workspace_root().join("core/src");
        let modules: BTreeSet<String> = std::fs::read_dir(&src)
            .unwrap()
            .flatten()
            .filter_map(|e| {
                let name = e.file_name().to_string_lossy().into_owned();
                let name = name.strip_suffix(".rs").map(str::to_owned).unwrap_or(name);
                (name != "lib").then_some(name)
            })
            .collect();
        let mut files = Vec::new();
        rust_files(&src, &mut files);
        let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for file in &files {
            let relative = file.strip_prefix(&src).unwrap();
            let first = relative.components().next().unwrap();
            let module = first.as_os_str().to_string_lossy().replace(".rs", "");
            if module == "lib" {
                continue;
            }
            let mut used = referenced_modules(&code_of(file), &modules);
            used.remove(&module);
            edges.entry(module).or_default().extend(used);
        }
        assert!(edges.len() > 10, "core's modules were not found: {edges:?}");
        // A cycle of any length shows as a module reaching itself.
        for start in edges.keys() {
            let mut seen = BTreeSet::new();
            let mut todo: Vec<&String> = edges[start].iter().collect();
            while let Some(next) = todo.pop() {
                assert_ne!(
                    next, start,
                    "core's module `{start}` reaches itself through its imports: {edges:#?}"
                );
                if seen.insert(next.clone()) {
                    todo.extend(edges.get(next).into_iter().flatten());
                }
            }
        }
    }

    #[test]
    fn a_cycle_is_seen_in_grouped_imports() {
        let modules: BTreeSet<String> = ["api", "net", "store"].map(String::from).into();
        let found = referenced_modules(
            "use crate::{api::x, net};\nlet _ = crate::store::y;",
            &modules,
        );
        assert_eq!(found, modules);
    }

    #[test]
    fn the_bindings_use_neither_the_rest_layer_nor_the_store() {
        let mut files = Vec::new();
        rust_files(&workspace_root().join("bindings/src"), &mut files);
        assert!(!files.is_empty());
        for file in files {
            let code = code_of(&file);
            for layer in ["api::", "store::"] {
                assert!(
                    !code.contains(&format!("pausenhof_core::{layer}"))
                        && !code.contains(&format!("core::{layer}")),
                    "{} reaches into core's {layer}",
                    file.display()
                );
            }
        }
    }

    /// Words that open an SQL statement, as core writes them (upper case).
    const SQL_WORDS: [&str; 4] = ["SELECT ", "INSERT ", "UPDATE ", "DELETE FROM"];

    /// Lines of `code` (1-based) that hold SQL, leaving out items marked
    /// `#[cfg(test)]`: a one-line item, or every line up to the closing
    /// brace at the attribute's indentation (rustfmt's layout).
    fn sql_lines_outside_tests(code: &str) -> Vec<usize> {
        lines_outside_tests(code, |line| {
            SQL_WORDS.iter().any(|word| line.contains(word))
        })
    }

    /// Lines of `code` (1-based) for which `matches` holds, leaving out
    /// items marked `#[cfg(test)]` as `sql_lines_outside_tests` says.
    fn lines_outside_tests(code: &str, matches: impl Fn(&str) -> bool) -> Vec<usize> {
        let mut found = Vec::new();
        let mut skip_until: Option<String> = None;
        let mut lines = code.lines().enumerate();
        while let Some((i, line)) = lines.next() {
            if let Some(end) = &skip_until {
                if line == end {
                    skip_until = None;
                }
                continue;
            }
            if line.trim() == "#[cfg(test)]" {
                let indent = &line[..line.len() - line.trim_start().len()];
                // The item the attribute marks (after any further
                // attributes): skipped whole.
                let item = lines
                    .by_ref()
                    .find(|(_, l)| !l.trim_start().starts_with("#["));
                if item.is_some_and(|(_, l)| !l.trim_end().ends_with([';', '}'])) {
                    skip_until = Some(format!("{indent}}}"));
                }
                continue;
            }
            if matches(line) {
                found.push(i + 1);
            }
        }
        found
    }

    #[test]
    fn sql_lives_only_under_the_store() {
        let src = workspace_root().join("core/src");
        let mut files = Vec::new();
        rust_files(&src, &mut files);
        assert!(files.len() > 50, "core's sources were not found");
        let mut offenders = Vec::new();
        for file in &files {
            let relative = file.strip_prefix(&src).unwrap();
            let is_test_file = relative.file_name().is_some_and(|n| n == "tests.rs")
                || relative.components().any(|c| c.as_os_str() == "tests");
            if relative.starts_with("store") || is_test_file {
                continue;
            }
            for line in sql_lines_outside_tests(&code_of(file)) {
                offenders.push(format!("core/src/{}:{line}", relative.display()));
            }
        }
        assert!(
            offenders.is_empty(),
            "SQL outside core/src/store/ (move it into a store function): {offenders:#?}"
        );
    }

    /// A panic message that formats a value (`{}`, `{x:?}`): a panic's
    /// text reaches logs and crash reports, and the value may be a
    /// message, a name or a token.
    fn formats_a_value_into_a_panic(line: &str) -> bool {
        const PANICS: &[&str] = &["panic!(", "unreachable!(", "todo!(", "unimplemented!("];
        let panics = PANICS.iter().any(|p| line.contains(p))
            || line.contains(".expect(&format!")
            || line.contains(".expect(format!");
        panics && line.contains('{')
    }

    #[test]
    fn panics_of_core_and_the_bindings_format_no_values() {
        let mut offenders = Vec::new();
        for crate_dir in ["core/src", "bindings/src"] {
            let src = workspace_root().join(crate_dir);
            let mut files = Vec::new();
            rust_files(&src, &mut files);
            assert!(!files.is_empty(), "{crate_dir} was not found");
            for file in &files {
                let relative = file.strip_prefix(&src).unwrap();
                // Test modules, and the bindings' `test-hooks` feature,
                // whose panics are what the foreign tests ask for.
                let name = relative.file_name().unwrap().to_string_lossy();
                let is_test_file = name == "tests.rs"
                    || name.ends_with("_tests.rs")
                    || name == "test_hooks.rs"
                    || relative.components().any(|c| c.as_os_str() == "tests");
                if is_test_file {
                    continue;
                }
                let code = code_of(file);
                for line in lines_outside_tests(&code, formats_a_value_into_a_panic) {
                    offenders.push(format!("{crate_dir}/{}:{line}", relative.display()));
                }
            }
        }
        assert!(
            offenders.is_empty(),
            "panics that format a value into their message: {offenders:#?}"
        );
    }

    #[test]
    fn a_panic_formatting_a_value_is_found() {
        assert!(formats_a_value_into_a_panic(
            r#"panic!("bad post {post:?}")"#
        ));
        assert!(formats_a_value_into_a_panic(
            r#"x.expect(&format!("no {id}"))"#
        ));
        assert!(!formats_a_value_into_a_panic(
            r#"x.expect("the store is open")"#
        ));
        assert!(!formats_a_value_into_a_panic(r#"panic!("static text")"#));
    }

    #[test]
    fn sql_is_found_outside_test_items_only() {
        let code = "fn read() {\n    q(\"SELECT id FROM posts\");\n}\n\
                    #[cfg(test)]\nfn helper() {\n    q(\"DELETE FROM posts\");\n}\n\
                    #[cfg(test)]\n#[path = \"t.rs\"]\nmod tests;\n\
                    fn write() {\n    q(\"UPDATE posts SET x = 1\");\n}\n\
                    #[cfg(test)]\nfn empty() {}\nconst Q: &str = \"DELETE FROM posts\";\n\
                    #[cfg(test)]\nmod tests {\n    fn t() {\n        q(\"INSERT INTO posts\");\n    }\n}\n";
        assert_eq!(sql_lines_outside_tests(code), vec![2, 12, 16]);
    }
}

"""Checks of the iOS app that need no Swift toolchain (run by `cargo xtask test`).

1. Every Swift file of the app, its extension and the generated bindings
   parses with tree-sitter-swift (the generated file's
   `#if swift(>=5.8) @_documentation(...) #endif` blocks are stripped first:
   the grammar does not know that attribute; and its `{ () }` closures are
   read as `{ }`).
2. Every name the app takes from the core exists in the generated bindings:
   - each call on a value named `client` is a method of `Client`, with the
     argument labels the bindings declare;
   - each other call of a function or initialiser the bindings declare (a
     free function, another object's method, a record's initialiser) has
     labels one of its declarations takes, defaulted parameters left out;
     a free function the app calls is declared somewhere;
   - each type the app names, each constructor it calls and each member or
     enum case it reads is declared by the bindings, by the app itself, or
     listed in `system-names.txt` (Apple's frameworks and the Swift library).
   So renaming an exported function, argument, type or case fails here, not
   only on a Mac.
3. Every text key the app uses is in the English and the German
   Localizable.strings (or .stringsdict), and both languages have the same keys.

Usage: python swift_checks.py BINDINGS.swift IOS_DIR
       python swift_checks.py --self-test
"""

import plistlib
import re
import sys
from pathlib import Path

import tree_sitter_swift
from tree_sitter import Language, Parser

PARSER = Parser(Language(tree_sitter_swift.language()))

DOC_ATTRIBUTE = re.compile(
    r"^#if swift\(>=5\.8\)\n[ \t]*@_documentation\(visibility: private\)\n#endif\n", re.MULTILINE
)
# `{ () }` (a closure returning the empty tuple) is Swift the grammar cannot
# read; `{ }` means the same.
EMPTY_TUPLE_CLOSURE = re.compile(r"= \{ \(\) \}$", re.MULTILINE)


def normalise_generated(text):
    """The generated file as the grammar can read it, meaning unchanged."""
    return EMPTY_TUPLE_CLOSURE.sub("= { }", DOC_ATTRIBUTE.sub("", text))


def parse(path, text):
    """The tree, and the problems: every ERROR or MISSING node with its line."""
    tree = PARSER.parse(text.encode())
    problems = []
    stack = [tree.root_node]
    while stack:
        node = stack.pop()
        if node.is_error or node.is_missing:
            line = node.start_point[0] + 1
            what = "missing " + node.type if node.is_missing else "cannot parse"
            problems.append(f"{path}:{line}: {what}: {text.splitlines()[line - 1].strip()[:80]}")
            continue
        if node.has_error:
            stack.extend(node.children)
    return tree, sorted(problems)


def walk(node):
    stack = [node]
    while stack:
        node = stack.pop()
        yield node
        stack.extend(reversed(node.children))


def text_of(node):
    """The source text; a keyword used as a name loses its backticks."""
    return node.text.decode().strip("`")


def field(node, name):
    return node.child_by_field_name(name)


def fields(node, name):
    return [c for i, c in enumerate(node.children) if node.field_name_for_child(i) == name]


def declared_names(tree):
    """Types, and members (functions, properties, cases, parameters) declared in a file."""
    types, members = set(), set()
    for node in walk(tree.root_node):
        kind = node.type
        if kind in ("class_declaration", "protocol_declaration", "typealias_declaration"):
            for name in fields(node, "name"):
                if name.type == "type_identifier":
                    types.add(text_of(name))
                for part in walk(name):
                    if part.type == "type_identifier" and kind != "class_declaration":
                        types.add(text_of(part))
        elif kind in ("function_declaration", "protocol_function_declaration"):
            for name in fields(node, "name"):
                if name.type == "simple_identifier":
                    members.add(text_of(name))
        elif kind == "enum_entry":
            for name in fields(node, "name"):
                members.add(text_of(name))
            for part in walk(node):
                if part.type == "enum_type_parameters":
                    for child in part.children:
                        if child.type == "simple_identifier":
                            members.add(text_of(child))
        elif kind == "property_declaration" or kind == "protocol_property_declaration":
            for name in fields(node, "name"):
                for part in walk(name):
                    if part.type == "simple_identifier" and part.parent.type == "pattern":
                        members.add(text_of(part))
        elif kind in ("parameter", "lambda_parameter"):
            for part in node.children:
                if part.type == "simple_identifier":
                    members.add(text_of(part))
        elif kind == "pattern":
            # Only names a pattern binds: `.granted(let at)` declares `at`,
            # not `granted`.
            for index, part in enumerate(node.children):
                if part.type == "simple_identifier" and node.field_name_for_child(index) == "bound_identifier":
                    members.add(text_of(part))
    return types, members


def parameters(declaration):
    """[(label, has_default)] of a function or initialiser declaration."""
    found = []
    for child in declaration.children:
        if child.type == "parameter":
            external = field(child, "external_name")
            names = [c for c in child.children if c.type == "simple_identifier"]
            label = text_of(external) if external is not None else text_of(names[0])
            found.append(["" if label == "_" else label, False])
        elif child.type == "=" and found:
            found[-1][1] = True
    return [tuple(p) for p in found]


def client_methods(tree):
    """`Client`'s methods in the bindings: name -> the argument labels of each overload."""
    methods = {}
    for node in walk(tree.root_node):
        if node.type != "class_declaration":
            continue
        name = field(node, "name")
        if name is None or text_of(name) != "Client":
            continue
        body = field(node, "body")
        for member in body.children if body else []:
            if member.type != "function_declaration":
                continue
            method = field(member, "name")
            labels = [label for label, _ in parameters(member)]
            methods.setdefault(text_of(method), []).append(labels)
    return methods


# `defer { }` reads as a call of `defer` in the grammar.
KEYWORDS_READ_AS_CALLS = {"defer"}


def owner_name(node):
    """The name of the type declaration around a node, or None."""
    owner = node.parent
    while owner is not None and owner.type not in ("class_declaration", "protocol_declaration"):
        owner = owner.parent
    name = field(owner, "name") if owner is not None else None
    return text_of(name) if name is not None else None


def is_plumbing(node):
    """The bindings' own machinery: private helpers and the converters,
    whose `read`/`write`/`lift` an app never calls."""
    modifiers = next((c for c in node.children if c.type == "modifiers"), None)
    if modifiers is not None and re.search(r"\b(fileprivate|private)\b", modifiers.text.decode()):
        return True
    owner = owner_name(node) or ""
    return owner.startswith("FfiConverter")


def signatures(tree, public_only=False):
    """Every function (free, or a member of any type) by name, and every
    initialiser by its type's name: the parameters of each overload."""
    functions, initialisers = {}, {}
    for node in walk(tree.root_node):
        if public_only and node.type in ("function_declaration", "init_declaration") and is_plumbing(node):
            continue
        if node.type in ("function_declaration", "protocol_function_declaration"):
            name = field(node, "name")
            if name is not None and name.type == "simple_identifier":
                functions.setdefault(text_of(name), []).append(parameters(node))
        elif node.type == "init_declaration":
            owner = owner_name(node)
            if owner is not None:
                initialisers.setdefault(owner, []).append(parameters(node))
    return functions, initialisers


def labels_fit(labels, overload):
    """Whether a call's labels fit an overload, parameters with a default
    value left out as Swift allows."""
    position = 0
    for label, has_default in overload:
        if position < len(labels) and labels[position] == label:
            position += 1
        elif not has_default:
            return False
    return position == len(labels)


def other_calls(tree):
    """(line, receiver or None, name, labels) of every call that is not on
    `client`: `name(...)`, `Type(...)` and `value.name(...)`."""
    calls = []
    for node in walk(tree.root_node):
        if node.type != "call_expression":
            continue
        callee = node.children[0]
        line = node.start_point[0] + 1
        if callee.type == "simple_identifier":
            if text_of(callee) not in KEYWORDS_READ_AS_CALLS:
                calls.append((line, None, text_of(callee), call_labels(node)))
        elif callee.type == "navigation_expression":
            target = field(callee, "target")
            suffix = field(callee, "suffix")
            name = field(suffix, "suffix") if suffix is not None else None
            if name is None or name.type != "simple_identifier":
                continue
            if target is not None and target.type == "simple_identifier" and text_of(target) == "client":
                continue
            receiver = text_of(target) if target is not None else ""
            calls.append((line, receiver, text_of(name), call_labels(node)))
    return calls


def call_labels(call):
    suffix = next((c for c in call.children if c.type == "call_suffix"), None)
    arguments = next((c for c in suffix.children if c.type == "value_arguments"), None) if suffix else None
    if arguments is None:
        return None
    labels = []
    for argument in arguments.children:
        if argument.type != "value_argument":
            continue
        label = next((c for c in argument.children if c.type == "value_argument_label"), None)
        labels.append(text_of(label) if label is not None else "")
    return labels


def used_names(tree):
    """(line, kind, name) of what a file takes from elsewhere."""
    uses = []
    for node in walk(tree.root_node):
        line = node.start_point[0] + 1
        if node.type == "type_identifier" and node.parent.type == "user_type":
            uses.append((line, "type", text_of(node)))
        elif node.type == "simple_identifier":
            previous = node.prev_sibling
            if previous is not None and previous.type == ".":
                uses.append((line, "member", text_of(node)))
            elif node.parent.type == "call_expression" and node.parent.children[0] == node \
                    and text_of(node) not in KEYWORDS_READ_AS_CALLS:
                uses.append((line, "type" if text_of(node)[:1].isupper() else "function", text_of(node)))
            elif node.parent.type == "navigation_expression" and field(node.parent, "target") == node \
                    and text_of(node)[:1].isupper():
                uses.append((line, "type", text_of(node)))
    return uses


def client_calls(tree):
    """(line, method, labels or None) of every `client.method(...)`."""
    calls = []
    for node in walk(tree.root_node):
        if node.type != "navigation_expression":
            continue
        target = field(node, "target")
        if target is None or target.type != "simple_identifier" or text_of(target) != "client":
            continue
        suffix = field(node, "suffix")
        name = field(suffix, "suffix") if suffix is not None else None
        if name is None:
            continue
        labels = call_labels(node.parent) if node.parent.type == "call_expression" else None
        calls.append((node.start_point[0] + 1, text_of(name), labels))
    return calls


def localisation_problems(ios_dir, app_trees):
    problems = []
    resources = ios_dir / "Pausenhof" / "Resources"
    keys = {}
    for language in ("en", "de"):
        folder = resources / f"{language}.lproj"
        strings = (folder / "Localizable.strings").read_text(encoding="utf-8")
        found = set(re.findall(r'^"([^"]+)"\s*=', strings, re.MULTILINE))
        plural_file = folder / "Localizable.stringsdict"
        if plural_file.exists():
            found |= set(plistlib.loads(plural_file.read_bytes()).keys())
        keys[language] = found
    for key in sorted(keys["en"] ^ keys["de"]):
        missing = "de" if key in keys["en"] else "en"
        problems.append(f"text `{key}` is missing in {missing}.lproj")
    for path, tree in app_trees:
        for node in walk(tree.root_node):
            if node.type != "call_expression":
                continue
            callee = node.children[0]
            if callee.type != "simple_identifier" or text_of(callee) != "L":
                continue
            suffix = next((c for c in node.children if c.type == "call_suffix"), None)
            arguments = next((c for c in suffix.children if c.type == "value_arguments"), None) if suffix else None
            first = next((c for c in arguments.children if c.type == "value_argument"), None) if arguments else None
            if first is None:
                continue
            for literal in walk(first):
                if literal.type == "line_str_text":
                    key = text_of(literal)
                    for language in ("en", "de"):
                        if key not in keys[language]:
                            problems.append(
                                f"{path}:{literal.start_point[0] + 1}: text `{key}` is not in {language}.lproj")
    return problems


SELF_TEST_BINDINGS = """
open class Client {
    open func probeServer(address: String) async throws -> ServerInfo { fatalError() }
}
public struct ServerInfo { public var url: String }
public enum Delivery { case platformPush
#if swift(>=5.8)
    @_documentation(visibility: private)
#endif
    case `private`
}
let writeReturn = { () }
"""


def self_test():
    """The checks catch what they are for: run on small inputs in CI first."""
    bindings, problems = parse("bindings", normalise_generated(SELF_TEST_BINDINGS))
    assert not problems, problems
    assert parse("broken", "func f( {")[1], "a syntax error must be reported"
    types, members = declared_names(bindings)
    assert {"Client", "ServerInfo", "Delivery"} <= types, types
    assert {"platformPush", "private", "url"} <= members, members
    assert client_methods(bindings) == {"probeServer": [["address"]]}
    app, _ = parse("app", """
func f(client: Client, d: Delivery) async throws {
    let info: ServerInfo = try await client.probeServer(adress: "x")
    switch d { case .platformPush: break; case .granted(let at): print(at) }
    _ = try await client.signIn()
}
""")
    calls = client_calls(app)
    assert [(name, labels) for _, name, labels in calls] == [("probeServer", ["adress"]), ("signIn", [])], calls
    app_types, app_members = declared_names(app)
    assert "granted" not in app_members and "at" in app_members, app_members
    used = {(kind, name) for _, kind, name in used_names(app)}
    assert ("type", "ServerInfo") in used and ("member", "granted") in used, used

    functions, initialisers = signatures(parse("bindings", """
public struct TimelineOptions {
    public init(pageSize: UInt32 = 50, rootId: String) {}
}
public func parseMessage(text: String) -> Int { 1 }
open class Timeline { open func subscribe(listener: L) {} }
public struct FfiConverterTypeTimeline { public static func write(_ value: Timeline, into buf: inout [UInt8]) {} }
fileprivate func uniffiCheck(status: Int32) {}
""")[0], public_only=True)
    assert "write" not in functions and "uniffiCheck" not in functions, functions
    assert functions["parseMessage"] == [[("text", False)]], functions
    assert initialisers["TimelineOptions"] == [[("pageSize", True), ("rootId", False)]], initialisers
    assert labels_fit(["rootId"], initialisers["TimelineOptions"][0])
    assert not labels_fit(["pageSiz", "rootId"], initialisers["TimelineOptions"][0])
    app, _ = parse("app", """
func g(t: Timeline) {
    defer { t.close() }
    _ = parseMesage(text: "a")
    _ = TimelineOptions(pageSiz: 3, rootId: "")
    t.subscribe(listenr: x)
}
""")
    calls = {(receiver, name, tuple(labels)) for _, receiver, name, labels in other_calls(app)}
    assert (None, "TimelineOptions", ("pageSiz", "rootId")) in calls, calls
    assert ("t", "subscribe", ("listenr",)) in calls, calls
    used = {(kind, name) for _, kind, name in used_names(app)}
    assert ("function", "parseMesage") in used and ("function", "defer") not in used, used
    print("self-test passed")


def main():
    if sys.argv[1:] == ["--self-test"]:
        self_test()
        return
    bindings_path, ios_dir = Path(sys.argv[1]), Path(sys.argv[2])
    problems = []

    bindings_text = normalise_generated(bindings_path.read_text(encoding="utf-8"))
    bindings_tree, bindings_problems = parse(bindings_path, bindings_text)
    problems += bindings_problems

    app_files = sorted(p for p in ios_dir.rglob("*.swift"))
    app_trees = []
    for path in app_files:
        tree, file_problems = parse(path, path.read_text(encoding="utf-8"))
        problems += file_problems
        app_trees.append((path, tree))

    core_types, core_members = declared_names(bindings_tree)
    methods = client_methods(bindings_tree)
    if not methods:
        problems.append(f"{bindings_path}: no class Client found")
    app_types, app_members = set(), set()
    for _, tree in app_trees:
        types, members = declared_names(tree)
        app_types |= types
        app_members |= members
    system = set()
    for line in (ios_dir / "checks" / "system-names.txt").read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            system.add(line)

    core_functions, core_initialisers = signatures(bindings_tree, public_only=True)
    app_functions, app_initialisers = {}, {}
    for _, tree in app_trees:
        functions, initialisers = signatures(tree)
        for name, overloads in functions.items():
            app_functions.setdefault(name, []).extend(overloads)
        for name, overloads in initialisers.items():
            app_initialisers.setdefault(name, []).extend(overloads)

    # A capitalised call may be a type's initialiser or a function (`L`).
    known_types = core_types | app_types | core_members | app_members | system
    known_members = core_members | app_members | system
    for path, tree in app_trees:
        for line, receiver, name, labels in other_calls(tree):
            if labels is None or name in system:
                continue
            if receiver is None and name in core_initialisers:
                overloads = core_initialisers[name] + app_initialisers.get(name, [])
            elif name in core_functions:
                overloads = core_functions[name] + app_functions.get(name, [])
            else:
                continue
            if not any(labels_fit(labels, overload) for overload in overloads):
                shown = (receiver + "." if receiver else "") + name
                got = "(" + ", ".join(f"{l}:" if l else "_" for l in labels) + ")"
                problems.append(f"{path}:{line}: `{shown}{got}` matches no declaration in the bindings")
        for line, kind, name in used_names(tree):
            known = known_types if kind == "type" else known_members
            if name not in known:
                problems.append(f"{path}:{line}: {kind} `{name}` is declared neither by the bindings, "
                                f"nor by the app, nor in checks/system-names.txt")
        for line, name, labels in client_calls(tree):
            if name not in methods:
                problems.append(f"{path}:{line}: `client.{name}` is not a method of Client in the bindings")
            elif labels is not None and labels not in methods[name]:
                wanted = " or ".join("(" + ", ".join(f"{l}:" if l else "_" for l in ls) + ")"
                                     for ls in methods[name])
                got = "(" + ", ".join(f"{l}:" if l else "_" for l in labels) + ")"
                problems.append(f"{path}:{line}: `client.{name}{got}` does not match the bindings' {wanted}")

    problems += localisation_problems(ios_dir, app_trees)

    used_client = sum(len(client_calls(tree)) for _, tree in app_trees)
    if problems:
        print("\n".join(problems))
        print(f"{len(problems)} problem(s)")
        sys.exit(1)
    print(f"parsed {len(app_files)} app files and the bindings ({len(bindings_text.splitlines())} lines); "
          f"{used_client} calls on Client match the bindings; texts complete in en and de")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""The public API of a library crate, one item per line, from rustdoc's JSON output.

    scripts/public-api.py target/doc/motcua_core.json > motcua-core/public-api.txt

Every public path (modules, re-exports), with each item's signature: functions and methods
with their parameters and result, struct fields, enum variants, constants with their type,
trait implementations (not auto traits, not blanket ones). Sorted, so that a change shows as
a line added or removed in review. `scripts/public-api.sh` makes the JSON (rustdoc's JSON is
unstable: RUSTC_BOOTSTRAP=1 on the stable toolchain) and checks the checked-in files.
"""

import json
import sys

# Implemented by the compiler, or markers derives add: not a promise of the API.
AUTO_TRAITS = {
    "Send", "Sync", "Unpin", "UnwindSafe", "RefUnwindSafe", "Freeze", "StructuralPartialEq",
}


class Api:
    def __init__(self, doc):
        self.doc = doc
        self.index = doc["index"]
        self.paths = doc["paths"]
        self.lines = set()
        # Each item's shortest public path, found by a first walk.
        self.public = {}

    def item(self, id_):
        return self.index.get(str(id_))

    # --- types -----------------------------------------------------------------------------

    def ty(self, t):
        if t is None:
            return "()"
        (kind, v), = t.items()
        if kind == "resolved_path":
            return self.name_of(v) + self.args(v.get("args"))
        if kind == "generic":
            return v
        if kind == "primitive":
            return v
        if kind == "borrowed_ref":
            life = (v["lifetime"] + " ") if v.get("lifetime") else ""
            mut = "mut " if v["is_mutable"] else ""
            return f"&{life}{mut}{self.ty(v['type'])}"
        if kind == "slice":
            return f"[{self.ty(v)}]"
        if kind == "array":
            return f"[{self.ty(v['type'])}; {v['len']}]"
        if kind == "tuple":
            return "(" + ", ".join(self.ty(x) for x in v) + ")"
        if kind == "impl_trait":
            return "impl " + " + ".join(self.bound(b) for b in v)
        if kind == "dyn_trait":
            parts = [self.poly_trait(p) for p in v["traits"]]
            if v.get("lifetime"):
                parts.append(v["lifetime"])
            return "dyn " + " + ".join(parts)
        if kind == "qualified_path":
            trait = v.get("trait")
            self_ty = self.ty(v["self_type"])
            if trait:
                return f"<{self_ty} as {trait['path']}{self.args(trait.get('args'))}>::{v['name']}"
            return f"{self_ty}::{v['name']}"
        if kind == "raw_pointer":
            return ("*mut " if v["is_mutable"] else "*const ") + self.ty(v["type"])
        if kind == "function_pointer":
            sig = v["sig"]
            ins = ", ".join(self.ty(t) for _, t in sig["inputs"])
            out = sig.get("output")
            return f"fn({ins})" + (f" -> {self.ty(out)}" if out else "")
        if kind == "infer":
            return "_"
        return f"<{kind}>"

    def name_of(self, v):
        """A type as its canonical path when it is this crate's, else as the source wrote it."""
        public = self.public.get(v.get("id"))
        if public:
            return public
        known = self.paths.get(str(v.get("id")))
        if known and known["crate_id"] == 0:
            return "::".join(known["path"])
        return v["path"]

    def args(self, a):
        if not a:
            return ""
        (kind, v), = a.items()
        if kind == "angle_bracketed":
            parts = []
            for x in v.get("args", []):
                (k, val), = x.items()
                if k == "type":
                    parts.append(self.ty(val))
                elif k == "lifetime":
                    parts.append(val)
                elif k == "const":
                    parts.append(str(val.get("expr", val)))
                else:
                    parts.append("_")
            for c in v.get("constraints", []):
                binding = c.get("binding", {})
                if "equality" in binding:
                    eq = binding["equality"]
                    val = self.ty(eq["type"]) if "type" in eq else str(eq)
                    parts.append(f"{c['name']} = {val}")
                else:
                    parts.append(c["name"])
            return "<" + ", ".join(parts) + ">" if parts else ""
        if kind == "parenthesized":
            ins = ", ".join(self.ty(t) for t in v["inputs"])
            out = v.get("output")
            return f"({ins})" + (f" -> {self.ty(out)}" if out else "")
        return ""

    def poly_trait(self, p):
        t = p["trait"]
        return t["path"] + self.args(t.get("args"))

    def bound(self, b):
        (kind, v), = b.items()
        if kind == "trait_bound":
            t = v["trait"]
            modifier = "?" if v.get("modifier") == "maybe" else ""
            return modifier + t["path"] + self.args(t.get("args"))
        if kind == "outlives":
            return v
        if kind == "use":
            return "use<..>"
        return kind

    def generics(self, g):
        params = []
        for p in g.get("params", []):
            (kind, v), = p["kind"].items()
            if kind == "lifetime":
                params.append(p["name"])
            elif kind == "type":
                if v.get("is_synthetic"):
                    continue  # `impl Trait` in argument position
                bounds = " + ".join(self.bound(b) for b in v.get("bounds", []))
                params.append(p["name"] + (f": {bounds}" if bounds else ""))
            elif kind == "const":
                params.append(f"const {p['name']}: {self.ty(v['type'])}")
        return "<" + ", ".join(params) + ">" if params else ""

    def where(self, g):
        preds = []
        for w in g.get("where_predicates", []):
            if "bound_predicate" in w:
                bp = w["bound_predicate"]
                preds.append(
                    self.ty(bp["type"]) + ": " + " + ".join(self.bound(b) for b in bp["bounds"])
                )
        return (" where " + ", ".join(preds)) if preds else ""

    def fn_sig(self, name, f):
        sig = f["sig"]
        header = f.get("header", {})
        quals = ""
        if header.get("is_const"):
            quals += "const "
        if header.get("is_async"):
            quals += "async "
        if header.get("is_unsafe"):
            quals += "unsafe "
        ins = []
        for pname, t in sig["inputs"]:
            if pname == "self":
                s = self.ty(t)
                ins.append({"Self": "self", "&Self": "&self", "&mut Self": "&mut self"}.get(s, f"self: {s}"))
            else:
                ins.append(f"{pname}: {self.ty(t)}")
        out = sig.get("output")
        ret = f" -> {self.ty(out)}" if out else ""
        g = f.get("generics", {})
        return f"{quals}fn {name}{self.generics(g)}({', '.join(ins)}){ret}{self.where(g)}"

    # --- items -----------------------------------------------------------------------------

    def add(self, line):
        self.lines.add(line)

    def walk_module(self, mod_id, path, seen):
        if mod_id in seen:
            return
        seen = seen | {mod_id}
        m = self.item(mod_id)
        self.add(f"pub mod {path}")
        for child in m["inner"]["module"]["items"]:
            self.walk(child, path, seen)

    def walk(self, id_, prefix, seen):
        it = self.item(id_)
        if it is None or it.get("visibility") != "public":
            return
        (kind, inner), = it["inner"].items()
        if kind == "use":
            if inner.get("is_glob"):
                target = self.item(inner["id"]) if inner.get("id") is not None else None
                if target and "module" in target["inner"]:
                    for child in target["inner"]["module"]["items"]:
                        self.walk(child, prefix, seen)
                return
            target_id = inner.get("id")
            target = self.item(target_id) if target_id is not None else None
            if target is None:
                # Re-exported from another crate: name it by its source path.
                self.add(f"pub use {prefix}::{inner['name']} = {inner['source']}")
                return
            self.emit(target_id, target, f"{prefix}::{inner['name']}", seen)
            return
        self.emit(id_, it, f"{prefix}::{it['name']}", seen)

    def emit(self, id_, it, path, seen):
        known = self.public.get(id_)
        if known is None or (len(path), path) < (len(known), known):
            self.public[id_] = path
        (kind, inner), = it["inner"].items()
        if kind == "module":
            self.walk_module(id_, path, seen)
        elif kind == "struct":
            g = inner.get("generics", {})
            sk = inner["kind"]
            if "plain" in sk:
                self.add(f"pub struct {path}{self.generics(g)}{self.where(g)}")
                for f in sk["plain"]["fields"]:
                    fi = self.item(f)
                    if fi and fi.get("visibility") == "public":
                        self.add(f"pub {path}::{fi['name']}: {self.ty(fi['inner']['struct_field'])}")
                if sk["plain"].get("has_stripped_fields"):
                    self.add(f"{path}: private fields")
            elif "tuple" in sk:
                fields = []
                for f in sk["tuple"]:
                    fi = self.item(f) if f is not None else None
                    fields.append(
                        "pub " + self.ty(fi["inner"]["struct_field"])
                        if fi and fi.get("visibility") == "public"
                        else "_"
                    )
                self.add(f"pub struct {path}{self.generics(g)}({', '.join(fields)}){self.where(g)}")
            else:
                self.add(f"pub struct {path}{self.generics(g)}")
            self.impls(inner.get("impls", []), path)
        elif kind == "enum":
            g = inner.get("generics", {})
            attrs = " #[non_exhaustive]" if any("non_exhaustive" in str(a) for a in it.get("attrs", [])) else ""
            self.add(f"pub enum {path}{self.generics(g)}{attrs}")
            for v in inner["variants"]:
                vi = self.item(v)
                vk = vi["inner"]["variant"]["kind"]
                if vk == "plain":
                    self.add(f"pub {path}::{vi['name']}")
                elif "tuple" in vk:
                    tys = [self.ty(self.item(f)["inner"]["struct_field"]) for f in vk["tuple"] if f is not None]
                    self.add(f"pub {path}::{vi['name']}({', '.join(tys)})")
                elif "struct" in vk:
                    fs = []
                    for f in vk["struct"]["fields"]:
                        fi = self.item(f)
                        fs.append(f"{fi['name']}: {self.ty(fi['inner']['struct_field'])}")
                    self.add(f"pub {path}::{vi['name']} {{ {', '.join(fs)} }}")
            self.impls(inner.get("impls", []), path)
        elif kind == "function":
            self.add(f"pub {self.fn_sig(path, inner)}")
        elif kind == "constant":
            self.add(f"pub const {path}: {self.ty(inner['type'])}")
        elif kind == "static":
            self.add(f"pub static {path}: {self.ty(inner['type'])}")
        elif kind == "type_alias":
            self.add(f"pub type {path} = {self.ty(inner['type'])}")
        elif kind == "trait":
            self.add(f"pub trait {path}")
            for m in inner["items"]:
                mi = self.item(m)
                if mi and "function" in mi["inner"]:
                    self.add(f"{path}: {self.fn_sig(mi['name'], mi['inner']['function'])}")
        elif kind == "macro":
            self.add(f"macro {path}!")
        else:
            self.add(f"pub {kind} {path}")

    def impls(self, impl_ids, path):
        for i in impl_ids:
            imp = self.item(i)
            if imp is None:
                continue
            im = imp["inner"]["impl"]
            if im.get("is_synthetic") or im.get("blanket_impl") is not None:
                continue
            trait = im.get("trait")
            g = im.get("generics", {})
            if trait is not None:
                if trait["path"] in AUTO_TRAITS:
                    continue
                neg = "!" if im.get("is_negative") else ""
                self.add(
                    f"impl{self.generics(g)} {neg}{self.name_of(trait)}{self.args(trait.get('args'))} for {self.ty(im['for'])}{self.where(g)}"
                )
                continue
            for m in im["items"]:
                mi = self.item(m)
                if mi is None or mi.get("visibility") != "public":
                    continue
                (mk, minner), = mi["inner"].items()
                if mk == "function":
                    self.add(f"pub {self.fn_sig(path + '::' + mi['name'], minner)}")
                elif mk == "assoc_const":
                    self.add(f"pub const {path}::{mi['name']}: {self.ty(minner['type'])}")


def main():
    doc = json.load(open(sys.argv[1]))
    api = Api(doc)
    root = doc["root"]
    name = api.item(root)["name"]
    api.walk_module(root, name, frozenset())
    api.lines = set()
    api.walk_module(root, name, frozenset())
    for line in sorted(api.lines):
        print(line)


if __name__ == "__main__":
    main()

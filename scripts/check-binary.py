#!/usr/bin/env python3
"""Checks that each release zip holds one binary of the format and architecture its name says.

    python3 scripts/check-binary.py dist/terraform-provider-vpce_0.1.0_*.zip

The platform comes from the zip name (..._{os}_{arch}.zip). Reads magic bytes and headers itself
(no `file` needed): ELF (class, machine, OS ABI), Mach-O (64-bit, cputype), PE (PE32+, machine).
Also checks the binary's name inside the zip (terraform-provider-vpce_v{VERSION}[.exe]), that it
is stripped of its symbol table (ELF: no .symtab section; PE: no COFF symbols), and that it needs
no library a user's system lacks (Mach-O: only /usr/lib and /System/Library; PE: a console program
importing no MinGW runtime DLL).
Exit 1 on any mismatch.
"""
import re
import struct
import sys
import zipfile

ELF_MACHINE = {62: "amd64", 183: "arm64", 3: "386", 40: "arm"}
ELF_OSABI = {0: "linux", 3: "linux", 9: "freebsd"}  # SYSV (0) is what Linux binaries carry
MACHO_CPU = {0x01000007: "amd64", 0x0100000C: "arm64"}
PE_MACHINE = {0x8664: "amd64", 0xAA64: "arm64", 0x14C: "386"}


def identify(data: bytes):
    """(os, arch, description, stripped) of an executable image."""
    if data[:4] == b"\x7fELF":
        if data[4] != 2:
            return None, None, "ELF 32-bit", None
        endian = "<" if data[5] == 1 else ">"
        osabi = data[7]
        (machine,) = struct.unpack_from(endian + "H", data, 18)
        (shoff,) = struct.unpack_from(endian + "Q", data, 0x28)
        shentsize, shnum = struct.unpack_from(endian + "HH", data, 0x3A)
        has_symtab = False
        for i in range(shnum):
            (sh_type,) = struct.unpack_from(endian + "I", data, shoff + i * shentsize + 4)
            has_symtab |= sh_type == 2  # SHT_SYMTAB
        # PT_INTERP (3): a dynamic loader is named; release Linux binaries are static (musl).
        (phoff,) = struct.unpack_from(endian + "Q", data, 0x20)
        phentsize, phnum = struct.unpack_from(endian + "HH", data, 0x36)
        interp = None
        for i in range(phnum):
            p_type, _flags, p_offset, _va, _pa, p_filesz = struct.unpack_from(endian + "IIQQQQ", data, phoff + i * phentsize)
            if p_type == 3:
                interp = data[p_offset : p_offset + p_filesz].rstrip(b"\0").decode()
        linking = f"dynamic, {interp}" if interp else "static"
        os_name = ELF_OSABI.get(osabi, f"osabi{osabi}")
        if osabi == 0 and b"FreeBSD" in data[:4096]:
            os_name = "freebsd"  # FreeBSD binaries built by some toolchains keep SYSV and a note
        arch = ELF_MACHINE.get(machine, f"machine{machine}")
        return os_name, arch, f"ELF 64-bit {arch} ({os_name}, {linking})", not has_symtab
    if data[:4] == b"\xcf\xfa\xed\xfe":  # MH_MAGIC_64, little endian
        cputype, _sub, filetype, ncmds = struct.unpack_from("<iIII", data, 4)
        cputype &= 0xFFFFFFFF
        arch = MACHO_CPU.get(cputype, f"cpu{cputype:#x}")
        # LC_SYMTAB (0x2): a stripped executable keeps only the symbols dyld needs (few).
        # LC_LOAD_DYLIB (0xc) / LC_LOAD_WEAK_DYLIB: the libraries dyld loads, all from the system.
        off, nsyms, dylibs = 32, None, []
        for _ in range(ncmds):
            cmd, size = struct.unpack_from("<II", data, off)
            if cmd == 0x2:
                nsyms = struct.unpack_from("<I", data, off + 12)[0]
            elif cmd in (0xC, 0x80000018):
                (name_off,) = struct.unpack_from("<I", data, off + 8)
                dylibs.append(data[off + name_off : off + size].split(b"\0", 1)[0].decode())
            off += size
        kind = {2: "executable"}.get(filetype, f"filetype {filetype}")
        foreign = [d for d in dylibs if not d.startswith(("/usr/lib/", "/System/Library/"))]
        desc = f"Mach-O 64-bit {kind} {arch} ({nsyms} symbols; links {', '.join(d.rsplit('/', 1)[-1] for d in dylibs)})"
        if foreign:
            return "darwin", f"{arch}, non-system libraries {foreign}", desc, None
        return "darwin", arch, desc, nsyms is not None and nsyms < 2000
    if data[:4] in (b"\xca\xfe\xba\xbe", b"\xbe\xba\xfe\xca"):
        return "darwin", "universal", "Mach-O universal binary", None
    if data[:2] == b"MZ":
        (pe,) = struct.unpack_from("<I", data, 0x3C)
        if data[pe : pe + 4] != b"PE\0\0":
            return None, None, "MZ without PE header", None
        machine, nsections = struct.unpack_from("<HH", data, pe + 4)
        _symptr, nsyms, opt_size = struct.unpack_from("<IIH", data, pe + 12)
        opt = pe + 24
        (magic,) = struct.unpack_from("<H", data, opt)
        arch = PE_MACHINE.get(machine, f"machine{machine:#x}")
        kind = "PE32+" if magic == 0x20B else "PE32"
        if magic != 0x20B:
            return "windows", f"{arch}, {kind}", f"{kind} executable {arch}", None
        (subsystem,) = struct.unpack_from("<H", data, opt + 68)
        # The DLLs it imports (import directory, data directory 1), found through the section table.
        import_rva, _size = struct.unpack_from("<II", data, opt + 112 + 8)
        sections = [struct.unpack_from("<IIII", data, opt + opt_size + i * 40 + 8) for i in range(nsections)]

        def offset(rva):
            for vsize, va, rawsize, rawptr in sections:
                if va <= rva < va + max(vsize, rawsize):
                    return rawptr + rva - va
            raise ValueError(f"RVA {rva:#x} outside the sections")

        dlls = []
        if import_rva:
            off = offset(import_rva)
            while True:
                name_rva = struct.unpack_from("<5I", data, off)[3]
                if not name_rva:
                    break
                n = offset(name_rva)
                dlls.append(data[n : data.index(b"\0", n)].decode())
                off += 20
        sub = {2: "GUI", 3: "console"}.get(subsystem, f"subsystem {subsystem}")
        desc = f"{kind} executable {arch} ({sub}; imports {', '.join(dlls)})"
        # MinGW's runtime DLLs are not on a user's machine: they must be linked in statically.
        foreign = [d for d in dlls if d.lower().startswith(("libgcc", "libwinpthread", "libstdc++"))]
        if foreign or subsystem != 3:
            return "windows", f"{arch}, {sub}, non-system DLLs {foreign}", desc, None
        # A stripped image has no COFF symbol table.
        return "windows", arch, desc, nsyms == 0
    return None, None, f"unknown format (magic {data[:4].hex()})", None


def main(paths):
    bad = 0
    for path in paths:
        m = re.search(r"terraform-provider-vpce_([^_/]+)_([a-z0-9]+)_([a-z0-9]+)\.zip$", path)
        if not m:
            print(f"{path}: not a release zip name", file=sys.stderr)
            bad += 1
            continue
        version, want_os, want_arch = m.groups()
        exe = f"terraform-provider-vpce_v{version}" + (".exe" if want_os == "windows" else "")
        with zipfile.ZipFile(path) as z:
            names = z.namelist()
            if names != [exe]:
                print(f"{path}: holds {names}, want [{exe!r}]", file=sys.stderr)
                bad += 1
                continue
            data = z.read(exe)
            mode = (z.getinfo(exe).external_attr >> 16) & 0o777
        got_os, got_arch, desc, stripped = identify(data)
        ok = (got_os, got_arch) == (want_os, want_arch)
        notes = [] if stripped is None else ["stripped" if stripped else "NOT STRIPPED"]
        notes.append(f"mode {mode:o}")
        print(f"{'ok ' if ok else 'BAD'} {path.rsplit('/', 1)[-1]}: {desc}, {len(data)} bytes, {', '.join(notes)}")
        if not ok or stripped is False:
            bad += 1
    return 1 if bad else 0


if __name__ == "__main__":
    if len(sys.argv) < 2:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    sys.exit(main(sys.argv[1:]))

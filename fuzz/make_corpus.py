#!/usr/bin/env python3
"""Builds the fuzz targets' seed corpora (fuzz/corpus/<target>/) from real files.

Usage: fuzz/make_corpus.py VSTRESS [CORPUS_DIR]

Runs a few short vstress runs (a correct one with small tables, a mutant one for violations) and
turns what they leave — a DB directory's WAL, MANIFEST, CURRENT and tables, and the run files
`vstress report` reads — into inputs in each target's own format (see fuzz/*_fuzzer.cc and
fuzz_input.h): length-prefixed chunks, records framed by the target, blocks cut out of a real table.
The corpora are checked in; rerun this after a format change. Seeds are capped in size so the
corpora stay small.
"""
import hashlib
import pathlib
import shutil
import struct
import subprocess
import sys
import tempfile

REPO = pathlib.Path(__file__).resolve().parent.parent
CHUNK_MAX = 65535
SEED_BYTES_MAX = 24 * 1024
DB_SEED_BYTES_MAX = 96 * 1024  # a whole DB directory
TABLE_SEEDS_PER_DB = 4


def chunk(data: bytes) -> bytes:
    data = data[:CHUNK_MAX]
    return struct.pack("<H", len(data)) + data


def varint(data: bytes, pos: int):
    result, shift = 0, 0
    while True:
        b = data[pos]
        pos += 1
        result |= (b & 0x7F) << shift
        if b < 0x80:
            return result, pos
        shift += 7


def log_records(data: bytes):
    """Payloads of a log file: header = u32 length, u32 payload checksum, u32 header checksum."""
    pos, out = 0, []
    while pos + 12 <= len(data):
        (length,) = struct.unpack_from("<I", data, pos)
        if pos + 12 + length > len(data):
            break
        out.append(data[pos + 12 : pos + 12 + length])
        pos += 12 + length
    return out


def block_entries(block: bytes):
    """(key, value) pairs of a block: prefix-compressed entries, then u32 restarts and a count."""
    (restarts,) = struct.unpack_from("<I", block, len(block) - 4)
    end = len(block) - 4 - 4 * restarts
    pos, key, out = 0, b"", []
    while pos < end:
        shared, pos = varint(block, pos)
        non_shared, pos = varint(block, pos)
        value_len, pos = varint(block, pos)
        key = key[:shared] + block[pos : pos + non_shared]
        pos += non_shared
        out.append((key, block[pos : pos + value_len]))
        pos += value_len
    return out


def table_blocks(sst: bytes):
    """The first data block, the filter block and the index block of a table file."""
    footer = sst[-60:]
    filter_offset, p = varint(footer, 0)
    filter_size, p = varint(footer, p)
    index_offset, p = varint(footer, p)
    index_size, p = varint(footer, p)
    index = sst[index_offset : index_offset + index_size]
    last_key, handle = block_entries(index)[0]
    data_offset, q = varint(handle, 0)
    data_size, q = varint(handle, q)
    data = sst[data_offset : data_offset + data_size]
    return data, sst[filter_offset : filter_offset + filter_size], index, last_key


class Corpus:
    def __init__(self, root: pathlib.Path):
        self.root = root

    def add(self, target: str, data: bytes, bytes_max: int = SEED_BYTES_MAX):
        if len(data) > bytes_max:
            return
        directory = self.root / target
        directory.mkdir(parents=True, exist_ok=True)
        (directory / hashlib.sha1(data).hexdigest()[:16]).write_bytes(data)


def run(vstress, out, *args):
    subprocess.run([vstress, "run", "--out", str(out), "--progress", "off", *args],
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)


def killed_run(vstress, out, seconds, *args):
    """A run SIGKILLed after `seconds`: its DB keeps a live WAL full of records (a finished run's
    final reopen flushes it away)."""
    proc = subprocess.Popen([vstress, "run", "--out", str(out), "--progress", "off", *args],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        proc.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def small_db_runs(vstress, tmp):
    """DBs with small tables: two finished runs and one killed mid-life (an unflushed WAL)."""
    common = ["--preset", "smoke", "--writers", "1", "--readers", "0", "--scanners", "0",
              "--snapshot-readers", "0", "--set", "faults=", "--set", "quiesce_every_seconds=0",
              "--set", "engine.memtable_bytes=8192", "--set", "engine.table_target_bytes=2048",
              "--set", "engine.block_bytes=512", "--set", "value_bytes=[8, 24]"]
    run(vstress, tmp / "small", "--ops", "600", *common)
    run(vstress, tmp / "tiny", "--ops", "60", *common)
    killed_run(vstress, tmp / "killed", 1.0, "--duration", "30s", *common)
    return [tmp / "small" / "db", tmp / "tiny" / "db", tmp / "killed" / "db"]


def add_db_seeds(corpus, db: pathlib.Path):
    files = sorted(p for p in db.iterdir() if p.is_file() and p.name != "LOCK")
    container = b""
    tables = 0
    for f in files:
        data = f.read_bytes()
        is_log = f.name.startswith("MANIFEST-") or f.name.endswith(".log")
        if is_log:
            records = log_records(data)[:15]
            body = bytes([len(records)]) + b"".join(chunk(r) for r in records) + chunk(b"")
            corpus.add("log_reader", b"\x00" + chunk(data[:4096]))
            corpus.add("log_reader", b"\x01" + body)
            target = "version_edit" if f.name.startswith("MANIFEST-") else "write_batch"
            for r in records[:6]:
                corpus.add(target, r)
            container += b"\x01" + chunk(f.name.encode()) + body
        else:
            container += b"\x00" + chunk(f.name.encode()) + chunk(data)
        # A killed run can leave a table half written: only whole tables (magic at the end) count.
        if (f.name.endswith(".sst") and 60 <= len(data) <= 8192 and data[-8:] == b"VSTRSST1" and
                tables < TABLE_SEEDS_PER_DB):
            tables += 1
            probe = chunk(b"k00000001")
            corpus.add("table", b"\x00" + probe + data)
            blocks = table_blocks(data)
            corpus.add("table", b"\x01" + probe + chunk(blocks[0]) + chunk(blocks[1]) +
                       chunk(blocks[2]) + b"\x10")
            corpus.add("table", b"\x02" + probe + chunk(blocks[0]) + chunk(blocks[1]) +
                       chunk(blocks[3]) + b"\x10")
    corpus.add("db_open", container, bytes_max=DB_SEED_BYTES_MAX)


def add_run_file_seeds(corpus, run_dir: pathlib.Path):
    kinds = [("summary.json", 0), ("timeseries.csv", 1), ("faults.log", 2), ("violations.json", 3)]
    for name, kind in kinds:
        path = run_dir / name
        if not path.exists():
            continue
        data = path.read_bytes()
        if name.endswith(".csv") or name.endswith(".log"):
            data = b"\n".join(data.split(b"\n")[:12]) + b"\n"
        corpus.add("run_files", bytes([kind]) + data)


def add_text_seeds(corpus, run_dirs):
    presets = sorted((REPO / "workloads" / "presets").glob("*.toml"))
    for p in presets:
        text = p.read_bytes()
        corpus.add("workload_toml", text)
        for line in text.split(b"\n"):
            if line.startswith(b"rule = "):
                corpus.add("fault_rule", line[len(b"rule = "):].strip(b'"'))
    for d in run_dirs:
        if (d / "config.toml").exists():
            corpus.add("workload_toml", (d / "config.toml").read_bytes())
    for rule in [b"engine/wal/sync:error:once@after_ops=5000",
                 b"fs/table/sync:torn:nth=3@after=2s,before=10s",
                 b"fs/*/append:nospace:every=4@path=*.log",
                 b"engine/manifest/*:crash:p=0.25@after_ops=10,before_ops=900",
                 b"engine/compaction/install:delay=1.5ms:p=0.1"]:
        corpus.add("fault_rule", rule)


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    vstress = sys.argv[1]
    root = pathlib.Path(sys.argv[2]) if len(sys.argv) > 2 else REPO / "fuzz" / "corpus"
    shutil.rmtree(root, ignore_errors=True)
    corpus = Corpus(root)
    with tempfile.TemporaryDirectory() as t:
        tmp = pathlib.Path(t)
        for db in small_db_runs(vstress, tmp):
            add_db_seeds(corpus, db)
        run(vstress, tmp / "mutant", "--mutant", "get-reads-live-memtable", "--seed", "1",
            "--duration", "5s")
        run(vstress, tmp / "pass", "--preset", "smoke", "--duration", "2s")
        for d in [tmp / "mutant", tmp / "pass", tmp / "small"]:
            add_run_file_seeds(corpus, d)
        add_text_seeds(corpus, [tmp / "pass", tmp / "small"])
    for d in sorted(root.iterdir()):
        files = list(d.iterdir())
        print(f"{d.name}: {len(files)} seeds, {sum(f.stat().st_size for f in files)} bytes")


if __name__ == "__main__":
    main()

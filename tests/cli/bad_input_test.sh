#!/usr/bin/env bash
# Proves that bad input is refused with a defined exit code and a message naming the problem, never
# run with: every case below is `vstress ARGS` with the exit code and a piece of the message it
# must print. Flags and config keys get zero, negative, huge, empty and malformed values; unknown
# subcommands must be named with or without --help. No case may create its run directory.
#   bad_input_test.sh VSTRESS WORK_DIR
set -uo pipefail
vstress="$1" work="$2"
rm -rf "$work" && mkdir -p "$work"
cd "$work" || exit 1
printf 'garbage = [\n' >bad.toml
printf '[writers]\nthreads = 99999999999999999999\n' >overflow.toml
printf 'key_space = -1\n' >negative.toml
printf "[writers]\nthreads = 4294967297\n" >int-overflow.toml
printf 'no_such_key = 1\n' >unknown.toml
printf '[[faults]]\nrule = "engine/nosuch:error"\n' >bad-faults.toml
printf 'seed = 1\n' >good.toml

failures=0
# case EXIT 'MESSAGE PIECE' ARGS...: run from $work, where a run would create runs/<dir>.
case_() {
  local want="$1" piece="$2"
  shift 2
  local out rc=0
  out=$(timeout 30 "$vstress" "$@" 2>&1 </dev/null) || rc=$?
  if [[ $rc -ne $want ]] || [[ "$out" != *"$piece"* ]] || [[ -e "$work/runs" ]]; then
    echo "FAIL: vstress $* -> exit $rc (want $want), output: ${out:0:300}"
    [[ -e "$work/runs" ]] && echo "      and it created a run directory"
    rm -rf "$work/runs"
    failures=$((failures + 1))
  else
    echo "ok:   vstress $* -> exit $rc: ${out%%$'\n'*}"
  fi
}

# Subcommands.
case_ 2 "unknown subcommand 'nosuch'" nosuch
case_ 2 "unknown subcommand 'nosuch'" nosuch --help
case_ 2 "run, " nosuch
case_ 2 "A subcommand is required"
case_ 2 "--no-such-flag" run --no-such-flag

# Counts and durations.
case_ 2 "--ops: '0' is not a whole number" run --ops 0
case_ 2 "--ops: '-1'" run --ops -1
case_ 2 "--ops: '99999999999999999999'" run --ops 99999999999999999999
case_ 2 "--ops: '1e3'" run --ops 1e3
case_ 2 "excludes" run --ops 5 --duration 1s
case_ 2 "--seed: '-1'" run --seed -1
case_ 2 "--seed: '18446744073709551616'" run --seed 18446744073709551616
case_ 2 "--seed: ''" run --seed ''
case_ 2 "--duration: '0s'" run --duration 0s
case_ 2 "--duration: '-5s'" run --duration -5s
case_ 2 "--duration: '99999999999h'" run --duration 99999999999h
case_ 2 "--duration: 'soon'" run --duration soon
case_ 2 "--duration: must not be empty" run --duration ''
case_ 2 "--readers: '-1'" run --readers -1
case_ 2 "--writers: '65'" run --writers 65
case_ 2 "--scanners: 'two'" run --scanners two
case_ 2 "--snapshot-readers: '1.5'" run --snapshot-readers 1.5
case_ 2 "all have 0 threads" run --readers 0 --writers 0 --scanners 0 --snapshot-readers 0

# Names, files and paths.
case_ 2 "unknown preset 'nosuch'" run --preset nosuch
case_ 2 "--preset: must not be empty" run --preset ''
case_ 2 "exclusive" run --preset smoke --config good.toml
case_ 2 "--config" run --config absent.toml
case_ 2 "bad.toml:1" run --config bad.toml
case_ 2 "not representable in 64 bits" run --config overflow.toml
case_ 2 "writers.threads" run --config int-overflow.toml
case_ 2 "key_space" run --config negative.toml
case_ 2 "unknown key 'no_such_key'" run --config unknown.toml
case_ 2 "engine/nosuch" run --faults bad-faults.toml
case_ 2 "--faults" run --faults absent.toml
case_ 2 "unknown mutant 'nosuch'" run --mutant nosuch
case_ 2 "--out: must not be empty" run --out ''
case_ 2 "--fiu-control: must not be empty" run --fiu-control ''
case_ 2 "--progress" run --progress sometimes
case_ 2 "holds whitespace" run --fiu-control "$work/a fifo prefix"

# Metrics addresses.
case_ 2 "octet 999 is above 255" run --metrics-listen 999.1.1.1:9999
case_ 2 "3 octets" run --metrics-listen 1.1.1:9999
case_ 2 "port '70000'" run --metrics-listen 127.0.0.1:70000
case_ 2 "port 'x'" run --metrics-listen 127.0.0.1:x
case_ 2 "not HOST:PORT" run --metrics-listen 127.0.0.1
case_ 2 "does not resolve" run --metrics-listen nosuchhost.invalid:9464
case_ 2 "--metrics-listen: must not be empty" run --metrics-listen ''
case_ 2 "octet 999 is above 255" run --push-gateway http://999.1.1.1:9091
case_ 2 "[1, 65535]" run --push-gateway http://127.0.0.1:0
case_ 2 "has a path" run --push-gateway http://127.0.0.1:9091/metrics/job/x
case_ 2 "not a URL" run --push-gateway 127.0.0.1:9091
case_ 2 "--metrics-textfile" run --metrics-textfile "$work/absent-dir/vstress.prom"

# Config keys through --set: zero, negative, huge, empty, malformed.
case_ 2 "unknown key ''" run --set =
case_ 2 "unknown key 'nosuch'" run --set nosuch=1
case_ 2 "name: must not be empty" run --set name=
case_ 2 "key_space" run --set key_space=0
case_ 2 "key_space" run --set key_space=-5
case_ 2 "key_space" run --set key_space=100000001
case_ 2 "seed" run --set seed=1.5
case_ 2 "duration_seconds" run --set duration_seconds=0
case_ 2 "duration_seconds" run --set duration_seconds=1e300
case_ 2 "watchdog_seconds" run --set watchdog_seconds=-1
case_ 2 "zipf_theta" run --set zipf_theta=1
case_ 2 "zipf_theta" run --set zipf_theta=nan
case_ 2 "hotspot_key_fraction" run --set hotspot_key_fraction=0
case_ 2 "value_bytes_min" run --set 'value_bytes=[0, 0]'
case_ 2 "value_bytes_max" run --set 'value_bytes=[5, 3]'
case_ 2 "value_bytes_max" run --set 'value_bytes=[1, 99999999]'
case_ 2 "value_bytes" run --set 'value_bytes=[1, 2, 3]'
case_ 2 "distribution" run --set distribution=bogus
case_ 2 "writers.sync_ratio" run --set writers.sync_ratio=1.5
case_ 2 "writers.put_weight" run --set writers.put_weight=-1
case_ 2 "writers.put_weight: must be a finite number" run --set writers.put_weight=inf
case_ 2 "all 0" run --set writers.put_weight=0 --set writers.delete_weight=0 --set writers.batch_weight=0
case_ 2 "writers.batch_ops_max" run --set writers.batch_ops_max=0
case_ 2 "writers.batch_ops_max" run --set writers.batch_ops_max=99999999
case_ 2 "readers.threads" run --set readers.threads=-1
case_ 2 "scanners.hold_steps_max" run --set scanners.hold_steps_max=0
case_ 2 "scanners.hold_seconds_max" run --set scanners.hold_seconds_max=0
case_ 2 "scanners.step_delay_us" run --set scanners.step_delay_us=-1
case_ 2 "scanners.reverse_ratio" run --set scanners.reverse_ratio=2
case_ 2 "snapshot_readers.reads_per_snapshot" run --set snapshot_readers.reads_per_snapshot=0
case_ 2 "snapshot_readers.hold_seconds_max" run --set snapshot_readers.hold_seconds_max=-1
case_ 2 "engine.memtable_bytes" run --set engine.memtable_bytes=0
case_ 2 "engine.memtable_bytes" run --set engine.memtable_bytes=999999999999999
case_ 2 "engine.table_target_bytes" run --set engine.table_target_bytes=999999999999999
case_ 2 "engine.level_base_bytes" run --set engine.level_base_bytes=999999999999999999
case_ 2 "engine.level_size_multiplier" run --set engine.level_size_multiplier=1
case_ 2 "engine.level0_compaction_trigger" run --set engine.level0_compaction_trigger=0
case_ 2 "engine.level0_stop_trigger" run --set engine.level0_stop_trigger=99999999999
case_ 2 "engine.block_bytes" run --set engine.block_bytes=1
case_ 2 "engine.block_restart_interval" run --set engine.block_restart_interval=0
case_ 2 "engine.block_restart_interval" run --set engine.block_restart_interval=99999999
case_ 2 "engine.bloom_bits_per_key" run --set engine.bloom_bits_per_key=-1
case_ 2 "engine.table_cache_entries_max" run --set engine.table_cache_entries_max=0
case_ 2 "engine.table_cache_entries_max" run --set engine.table_cache_entries_max=99999999999
case_ 2 "engine.background" run --set engine.background=bogus
case_ 2 "engine.mutations" run --set 'engine.mutations=["nosuch"]'

# Fault rules.
case_ 2 "fault rule ''" run --fault ''
case_ 2 "probability '2'" run --fault engine/wal/sync:error:p=2
case_ 2 "nth" run --fault engine/wal/sync:error:nth=0
case_ 2 "every" run --fault engine/wal/sync:error:every=0
case_ 2 "delay must be" run --fault engine/wal/sync:delay=99999h
case_ 2 "engine/nosuch" run --fault engine/nosuch:error
case_ 2 "crash" run --fault engine/wal/sync:crash

# Other subcommands.
case_ 2 "--rounds: '0'" bench --rounds 0
case_ 2 "--rounds: '21'" bench --rounds 21
case_ 2 "--seed: '-1'" bench --seed -1
case_ 2 "--duration" bench --duration 0s
case_ 2 "unknown preset 'nosuch'" bench --preset nosuch
case_ 2 "absent-db" inspect absent-db
case_ 2 "absent-run" report absent-run

echo "bad_input_test: $failures failing case(s)"
[[ $failures -eq 0 ]]

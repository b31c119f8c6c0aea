#!/bin/sh
# One callgrind run of a heap benchmark driver (a helper of test/bench/run.sh,
# which starts several at once through xargs -P).
#
#   cg_job.sh DIR NAME all|sites PROGRAM ARGS...
#
# all:   collect everything: the run's total instruction count is the figure
#        (and the per-call arcs of the sampled calls come with it)
# sites: collect only inside the measured call sites (heap_subjects.hpp)
# Writes DIR/NAME.out (the driver's stdout plus "total=N" and "status=N") and
# DIR/NAME.percall (test/bench/cg_percall's CSV: label,op,calls,median,p99,
# max,mean); the callgrind file itself is deleted (it can be large). A failed
# run leaves DIR/NAME.log (valgrind's messages) behind.
# Needs CG_PERCALL: the path of the cg_percall program.
set -u
dir=$1 name=$2 mode=$3
shift 3
file=$dir/$name.cg
set +e
if [ "$mode" = sites ]; then
  valgrind --tool=callgrind --combine-dumps=yes --callgrind-out-file="$file" --collect-atstart=no \
    '--toggle-collect=*alloc_site<*' '--toggle-collect=*free_site<*' "$@" > "$dir/$name.out" 2> "$dir/$name.log"
else
  valgrind --tool=callgrind --combine-dumps=yes --callgrind-out-file="$file" "$@" \
    > "$dir/$name.out" 2> "$dir/$name.log"
fi
status=$?
set -e
total=$(sed -n 's/^==[0-9]*== I *refs: *//p' "$dir/$name.log" | tr -d ',')
echo "total=${total:-0}" >> "$dir/$name.out"
echo "status=$status" >> "$dir/$name.out"
if [ -s "$file" ]; then
  "$CG_PERCALL" "$file" > "$dir/$name.percall"
fi
rm -f "$file"
if [ "$status" -eq 0 ]; then
  rm -f "$dir/$name.log"
else
  echo "callgrind job $name: exit status $status (see $dir/$name.log)" >&2
fi
exit 0

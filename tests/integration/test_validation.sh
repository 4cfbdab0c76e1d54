#!/bin/sh
# The model against a real server, in `make test` (issue 7): tests/validation/validate.sh's
# quick profile (~1.5 min): archtarget with 4 workers and lognormal(mean 2 ms, p99 10 ms)
# service, calibrated from 40 s at 200/s, predicted and measured at rho = 0.5, alone and as
# two archtargets behind nginx round robin (mean within 10 %, p99 within 20 %); compare's
# options checks; --plot's svg and png through gnuplot.
# rho = 0.7 and 0.85 need longer runs than `make test` can afford on a busy 2-CPU machine
# (docs/compare.md, "Validation against a real server", says why): `make validate` runs them.
#
#   sh tests/integration/test_validation.sh BUILD_DIR
#
# Prints one line per check and ends with "N passed, M failed"; exits 1 when anything failed.

if [ $# -ne 1 ]; then
    echo "usage: sh tests/integration/test_validation.sh BUILD_DIR" >&2
    exit 2
fi
exec sh "$(dirname "$0")/../validation/validate.sh" "$1" quick

# The two commands of the README. Both install missing Debian packages themselves.
.PHONY: run test test-asan package bench

run:    ## build and start the server on SQLite with simulated providers and demo data
	scripts/run.sh

test:   ## build and run every test (unit, API on SQLite and PostgreSQL, fuzz)
	scripts/test.sh

test-asan:  ## the test suite under AddressSanitizer and UBSan
	scripts/test.sh --sanitize-only

package:  ## build the Debian package build/cxco_<version>_<arch>.deb (docs/operations.md)
	scripts/package.sh

bench:  ## load benchmarks with wrk (see docs/performance.md)
	bench/run.sh

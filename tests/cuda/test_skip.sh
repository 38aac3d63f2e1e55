#!/bin/sh
# test_skip.sh: stands in for a test that needs the CUDA toolkit where the build found none.
echo "SKIP: no CUDA toolkit (nvcc, cuda.h and the libcuda stub) found at build time"
exit 77

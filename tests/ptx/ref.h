/* ref.h: the kernel suite in plain C, thread by thread: the oracle the interpreter is checked
 * against. */
#ifndef REF_H
#define REF_H

#include <stdint.h>

void ref_matmul(const float *a, const float *b, float *c, uint32_t n);
void ref_scan_blocks(const int32_t *x, int32_t *y, uint32_t n, uint32_t block);
void ref_f64_math(double v, double *y, int64_t *k);
void ref_int_bits(int32_t x, int32_t y, uint32_t o[8]);
float ref_poly(float v);
uint32_t ref_local_array(uint32_t x);
uint32_t ref_collatz(uint32_t x);
float ref_const_poly(float x);
void ref_approx(float v, float o[8]);

#endif /* REF_H */

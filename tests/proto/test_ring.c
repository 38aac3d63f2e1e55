/* test_ring.c: the shared ring: empty, full, index wrap-around, notification suppression, sizes. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "vgpu_proto.h"

struct pair {
    struct vgpu_sring *s;
    struct vgpu_front_ring f;
    struct vgpu_back_ring b;
};

static void pair_init(struct pair *p, uint32_t order, uint32_t start)
{
    p->s = calloc(1, vgpu_ring_bytes(order));
    assert_non_null(p->s);
    vgpu_sring_init(p->s);
    vgpu_front_init(&p->f, p->s, vgpu_ring_slots(order));
    vgpu_back_init(&p->b, p->s, vgpu_ring_slots(order));
    /* Start all indices at `start` to exercise wrap-around. */
    p->f.req_prod_pvt = p->f.rsp_cons = start;
    p->b.req_cons = p->b.rsp_prod_pvt = start;
    p->s->req_prod = p->s->rsp_prod = start;
    p->s->req_event = p->s->rsp_event = start + 1;
}

static void put_nops(struct pair *p, uint32_t n)
{
    while (n--) {
        struct vgpu_req *r = vgpu_front_next_req(&p->f);
        memset(r, 0, sizeof(*r));
        r->op = VGPU_OP_NOP;
        r->id = p->f.req_prod_pvt;
    }
}

/* Backend answers every ready request; returns how many. */
static uint32_t answer_all(struct pair *p)
{
    uint32_t ready, i;

    assert_true(vgpu_back_snapshot(&p->b, &ready));
    for (i = 0; i < ready; i++) {
        struct vgpu_req req;
        struct vgpu_rsp rsp = {0};
        vgpu_back_take_req(&p->b, &req);
        rsp.id = req.id;
        vgpu_back_put_rsp(&p->b, &rsp);
    }
    vgpu_back_push(&p->b);
    return ready;
}

static uint32_t drain_rsps(struct pair *p)
{
    uint32_t ready, i;
    struct vgpu_rsp rsp;

    assert_true(vgpu_front_snapshot(&p->f, &ready));
    for (i = 0; i < ready; i++)
        vgpu_front_take_rsp(&p->f, &rsp);
    return ready;
}

static void test_slots_per_order(void **state)
{
    (void)state;
    assert_int_equal(vgpu_ring_slots(0), 32); /* (4096 - 64) / 64 = 63 -> 32 */
    assert_int_equal(vgpu_ring_slots(1), 64); /* 127 -> 64 */
    assert_int_equal(vgpu_ring_slots(2), 128);
    assert_int_equal(vgpu_ring_slots(3), 256);
    assert_int_equal(vgpu_ring_slots(4), 512);
    assert_int_equal(vgpu_ring_slots(VGPU_RING_ORDER_MAX + 1), 0);
    for (uint32_t o = 0; o <= VGPU_RING_ORDER_MAX; o++) {
        uint32_t n = vgpu_ring_slots(o);
        assert_int_equal(n & (n - 1), 0);
        assert_true(sizeof(struct vgpu_sring) + n * sizeof(union vgpu_slot) <= vgpu_ring_bytes(o));
    }
}

static void test_empty(void **state)
{
    struct pair p;
    uint32_t ready = 99;

    (void)state;
    pair_init(&p, 0, 0);
    assert_true(vgpu_back_snapshot(&p.b, &ready));
    assert_int_equal(ready, 0);
    assert_int_equal(vgpu_front_free(&p.f), 32);
    assert_int_equal(drain_rsps(&p), 0);
    free(p.s);
}

static void test_full(void **state)
{
    struct pair p;

    (void)state;
    pair_init(&p, 0, 0);
    put_nops(&p, 32);
    assert_int_equal(vgpu_front_free(&p.f), 0);
    vgpu_front_push(&p.f);
    assert_int_equal(answer_all(&p), 32);
    /* Responses not yet consumed: still full for the frontend. */
    assert_int_equal(vgpu_front_free(&p.f), 0);
    assert_int_equal(drain_rsps(&p), 32);
    assert_int_equal(vgpu_front_free(&p.f), 32);
    free(p.s);
}

static void run_wrap(uint32_t start, uint32_t order)
{
    struct pair p;
    uint32_t total = 0, got = 0;

    pair_init(&p, order, start);
    while (total < 10 * p.f.nr_slots) {
        uint32_t n = vgpu_front_free(&p.f) / 2 + 1;
        put_nops(&p, n);
        total += n;
        vgpu_front_push(&p.f);
        assert_int_equal(answer_all(&p), n);
        got += drain_rsps(&p);
    }
    assert_int_equal(got, total);
    assert_int_equal(p.f.rsp_cons, start + total);
    free(p.s);
}

static void test_wraparound(void **state)
{
    (void)state;
    run_wrap(0xffffffffu - 5, 0); /* the 32-bit indices overflow mid-run */
    run_wrap(0x7ffffff0u, 2);
    run_wrap(0, 4);
}

static void test_producer_too_far_ahead(void **state)
{
    struct pair p;
    uint32_t ready;

    (void)state;
    pair_init(&p, 0, 0xfffffff0u);
    p.s->req_prod = p.b.req_cons + 33; /* more than a ring ahead */
    assert_false(vgpu_back_snapshot(&p.b, &ready));
    p.s->req_prod = p.b.req_cons - 1; /* went backwards */
    assert_false(vgpu_back_snapshot(&p.b, &ready));
    p.s->req_prod = p.b.req_cons + 32; /* exactly a ring: fine */
    assert_true(vgpu_back_snapshot(&p.b, &ready));
    assert_int_equal(ready, 32);
    free(p.s);
}

static void test_producer_ahead_of_unanswered(void **state)
{
    struct pair p;
    uint32_t ready, i;
    struct vgpu_req req;

    (void)state;
    pair_init(&p, 0, 0);
    put_nops(&p, 10);
    vgpu_front_push(&p.f);
    assert_true(vgpu_back_snapshot(&p.b, &ready));
    for (i = 0; i < ready; i++)
        vgpu_back_take_req(&p.b, &req); /* 10 taken, none answered */
    /* A hostile frontend claims 23 more: 33 outstanding would overwrite unanswered slots. */
    p.s->req_prod = p.b.req_cons + 23;
    assert_false(vgpu_back_snapshot(&p.b, &ready));
    p.s->req_prod = p.b.req_cons + 22;
    assert_true(vgpu_back_snapshot(&p.b, &ready));
    assert_int_equal(ready, 22);
    free(p.s);
}

static void test_notify_only_when_peer_waits(void **state)
{
    struct pair p;
    uint32_t ready;

    (void)state;
    pair_init(&p, 0, 0xfffffffeu);
    /* Backend sleeping (armed at setup): the first push notifies. */
    put_nops(&p, 1);
    assert_true(vgpu_front_push(&p.f));
    /* The backend has not consumed yet: further pushes do not notify again. */
    put_nops(&p, 2);
    assert_false(vgpu_front_push(&p.f));
    /* Backend polls: disarmed, no notification however many pushes. */
    vgpu_back_disarm(&p.b);
    answer_all(&p);
    put_nops(&p, 3);
    assert_false(vgpu_front_push(&p.f));
    /* Backend drains, then arms with nothing pending: next push notifies. */
    assert_true(vgpu_back_snapshot(&p.b, &ready));
    answer_all(&p);
    assert_false(vgpu_back_arm(&p.b));
    drain_rsps(&p);
    put_nops(&p, 1);
    assert_true(vgpu_front_push(&p.f));
    /* Arming while a request is pending reports it (no lost wake-up). */
    assert_true(vgpu_back_arm(&p.b));
    free(p.s);
}

static void test_rsp_notify(void **state)
{
    struct pair p;

    (void)state;
    pair_init(&p, 1, 0);
    put_nops(&p, 4);
    vgpu_front_push(&p.f);
    /* Frontend armed at setup (rsp_event = 1): first response push notifies. */
    assert_int_equal(answer_all(&p), 4);
    assert_true(p.s->rsp_prod == p.b.rsp_prod_pvt);
    drain_rsps(&p);
    vgpu_front_disarm(&p.f);
    put_nops(&p, 1);
    vgpu_front_push(&p.f);
    {
        uint32_t ready;
        struct vgpu_req req;
        struct vgpu_rsp rsp = {0};
        assert_true(vgpu_back_snapshot(&p.b, &ready));
        vgpu_back_take_req(&p.b, &req);
        vgpu_back_put_rsp(&p.b, &rsp);
        assert_false(vgpu_back_push(&p.b)); /* frontend polling: no signal */
    }
    drain_rsps(&p);
    assert_false(vgpu_front_arm(&p.f));
    put_nops(&p, 1);
    vgpu_front_push(&p.f);
    {
        uint32_t ready;
        struct vgpu_req req;
        struct vgpu_rsp rsp = {0};
        assert_true(vgpu_back_snapshot(&p.b, &ready));
        vgpu_back_take_req(&p.b, &req);
        vgpu_back_put_rsp(&p.b, &rsp);
        assert_true(vgpu_back_push(&p.b)); /* frontend sleeping: signal */
    }
    free(p.s);
}

static void test_front_rejects_bogus_rsp_prod(void **state)
{
    struct pair p;
    uint32_t ready;

    (void)state;
    pair_init(&p, 0, 0);
    put_nops(&p, 2);
    vgpu_front_push(&p.f);
    p.s->rsp_prod = 3; /* more responses than requests */
    assert_false(vgpu_front_snapshot(&p.f, &ready));
    free(p.s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_slots_per_order),
        cmocka_unit_test(test_empty),
        cmocka_unit_test(test_full),
        cmocka_unit_test(test_wraparound),
        cmocka_unit_test(test_producer_too_far_ahead),
        cmocka_unit_test(test_producer_ahead_of_unanswered),
        cmocka_unit_test(test_notify_only_when_peer_waits),
        cmocka_unit_test(test_rsp_notify),
        cmocka_unit_test(test_front_rejects_bogus_rsp_prod),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

// SPDX-License-Identifier: GPL-2.0
/*
 * vgpu_hostbuf.c: host buffers of a channel: pages of their own granted to
 * the backend with a directory of directories (proto/vgpu_wire.h,
 * VGPU_HOSTBUF_TOP_MAGIC), mapped by the process at an mmap offset of
 * their own, the grants ended on free or when the file goes.
 */
#include <linux/slab.h>
#include <linux/mm.h>
#include <linux/sched/signal.h>
#include <linux/uaccess.h>
#include <xen/grant_table.h>
#include <xen/page.h>
#include "vgpu_fe.h"
#include "vgpu_ioctl.h"

/**
 * struct vgpu_hostbuf - one host buffer
 * @node:      in ch->hostbufs, under ch->hb_lock
 * @slot:      mapped at VGPU_MMAP_HOSTBUF_OFF + slot * VGPU_MMAP_HOSTBUF_STRIDE
 * @nr_pages:  data pages
 * @pages:     data pages, granted read/write
 * @refs:      their grant refs
 * @nr_dirs:   directory pages, DIV_ROUND_UP(nr_pages, VGPU_DATA_DIR_SLOTS)
 * @dir_pages: directory pages, granted read-only
 * @dir_refs:  their grant refs
 * @top_page:  the top directory, granted read-only
 * @top_ref:   its grant ref, what HOSTBUF_MAP names
 *
 * A grant ref is valid where its page pointer is set: vgpu_hb_free() ends
 * exactly those, so a half-built buffer is freed like a whole one.
 */
struct vgpu_hostbuf {
	struct list_head node;
	unsigned int slot;
	unsigned int nr_pages;
	struct page **pages;
	grant_ref_t *refs;
	unsigned int nr_dirs;
	struct page **dir_pages;
	grant_ref_t *dir_refs;
	struct page *top_page;
	grant_ref_t top_ref;
};

static u64 vgpu_hb_off(unsigned int slot)
{
	return VGPU_MMAP_HOSTBUF_OFF + (u64)slot * VGPU_MMAP_HOSTBUF_STRIDE;
}

/* Directories first (the backend maps them only for a moment), then the data. */
static void vgpu_hb_free(struct vgpu_hostbuf *hb)
{
	unsigned int i;

	vgpu_ungrant_page(&hb->top_page, hb->top_ref);
	for (i = 0; hb->dir_pages && i < hb->nr_dirs; i++)
		vgpu_ungrant_page(&hb->dir_pages[i], hb->dir_refs[i]);
	for (i = 0; hb->pages && i < hb->nr_pages; i++) {
		vgpu_ungrant_page(&hb->pages[i], hb->refs[i]);
		if (!(i % 1024))
			cond_resched();
	}
	kvfree(hb->pages);
	kvfree(hb->refs);
	kfree(hb->dir_pages);
	kfree(hb->dir_refs);
	kfree(hb);
}

/* The data pages, charged to the process's memory cgroup. */
static int vgpu_hb_grant_data(struct vgpu_hostbuf *hb, domid_t domid)
{
	unsigned int i;
	int err;

	for (i = 0; i < hb->nr_pages; i++) {
		if (fatal_signal_pending(current))
			return -EINTR;
		err = vgpu_grant_page(domid, GFP_HIGHUSER | __GFP_ACCOUNT | __GFP_NOWARN, false,
				    &hb->pages[i], &hb->refs[i]);
		if (err)
			return err;
		if (!(i % 1024))
			cond_resched();
	}
	return 0;
}

/* Each directory is filled before it is granted: the backend reads it once. */
static int vgpu_hb_grant_dirs(struct vgpu_hostbuf *hb, domid_t domid)
{
	struct vgpu_data_dir *dir;
	unsigned int d, n;
	int err;

	for (d = 0; d < hb->nr_dirs; d++) {
		err = vgpu_grant_page(domid, GFP_KERNEL, true, &hb->dir_pages[d], &hb->dir_refs[d]);
		if (err)
			return err;
		dir = page_address(hb->dir_pages[d]);
		n = min(hb->nr_pages - d * VGPU_DATA_DIR_SLOTS, VGPU_DATA_DIR_SLOTS);
		dir->magic = VGPU_DATA_DIR_MAGIC;
		dir->nr_pages = n;
		memcpy(dir->gref, &hb->refs[d * VGPU_DATA_DIR_SLOTS], n * sizeof(dir->gref[0]));
	}
	err = vgpu_grant_page(domid, GFP_KERNEL, true, &hb->top_page, &hb->top_ref);
	if (err)
		return err;
	dir = page_address(hb->top_page);
	dir->magic = VGPU_HOSTBUF_TOP_MAGIC;
	dir->nr_pages = hb->nr_dirs;
	memcpy(dir->gref, hb->dir_refs, hb->nr_dirs * sizeof(dir->gref[0]));
	return 0;
}

/* A granted buffer of nr_pages, or an ERR_PTR. */
static struct vgpu_hostbuf *vgpu_hb_build(unsigned int nr_pages, domid_t domid)
{
	struct vgpu_hostbuf *hb = kzalloc(sizeof(*hb), GFP_KERNEL);
	int err = -ENOMEM;

	if (!hb)
		return ERR_PTR(-ENOMEM);
	hb->nr_pages = nr_pages;
	hb->nr_dirs = DIV_ROUND_UP(nr_pages, VGPU_DATA_DIR_SLOTS);
	hb->pages = kvcalloc(nr_pages, sizeof(*hb->pages), GFP_KERNEL);
	hb->refs = kvcalloc(nr_pages, sizeof(*hb->refs), GFP_KERNEL);
	hb->dir_pages = kcalloc(hb->nr_dirs, sizeof(*hb->dir_pages), GFP_KERNEL);
	hb->dir_refs = kcalloc(hb->nr_dirs, sizeof(*hb->dir_refs), GFP_KERNEL);
	if (hb->pages && hb->refs && hb->dir_pages && hb->dir_refs)
		err = vgpu_hb_grant_data(hb, domid);
	if (!err)
		err = vgpu_hb_grant_dirs(hb, domid);
	if (err) {
		vgpu_hb_free(hb);
		return ERR_PTR(err);
	}
	return hb;
}

/* Size within the layout and the channel's caps? Caller holds ch->hb_lock. */
static int vgpu_hb_check(struct vgpu_chan *ch, u64 size)
{
	u64 cap = (u64)vgpu_param_hostbuf_max_mb << 20;

	BUILD_BUG_ON(VGPU_HOSTBUF_SLOTS != 64);	/* hb_slots is a u64 bitmap */
	if (!size || size % VGPU_PAGE_SIZE ||
	    size / VGPU_PAGE_SIZE > VGPU_HOSTBUF_XEN_PAGES_MAX)
		return -EINVAL;
	if (ch->hb_slots == ~0ull || size > cap || ch->hb_bytes > cap - size)
		return -ENOSPC;
	return 0;
}

/**
 * vgpu_hostbuf_alloc() - VGPU_IOC_HOSTBUF_ALLOC
 * @ch:  the channel (not broken)
 * @arg: struct vgpu_ioc_hostbuf in user memory
 *
 * Return: 0 with mmap_off and grant_dir written back; -EINVAL, -ENOSPC
 * (past VGPU_HOSTBUF_SLOTS or hostbuf_max_mb), -ENOMEM, -EINTR, -EIO,
 * -EFAULT (the buffer is freed again).
 */
long vgpu_hostbuf_alloc(struct vgpu_chan *ch, void __user *arg)
{
	struct vgpu_ioc_hostbuf req;
	struct vgpu_hostbuf *hb;
	unsigned int slot = 0;
	int err;

	if (copy_from_user(&req, arg, sizeof(req)))
		return -EFAULT;
	if (req.rsvd0)
		return -EINVAL;
	if (vgpu_chan_broken(ch))
		return -EIO;
	mutex_lock(&ch->hb_lock);
	err = vgpu_hb_check(ch, req.size);
	if (!err) {
		/* Slot and bytes taken now: two threads cannot both pass the caps. */
		slot = __ffs64(~ch->hb_slots);
		ch->hb_slots |= 1ull << slot;
		ch->hb_bytes += req.size;
	}
	mutex_unlock(&ch->hb_lock);
	if (err)
		return err;

	hb = vgpu_hb_build(req.size / VGPU_PAGE_SIZE, ch->be_domid);

	mutex_lock(&ch->hb_lock);
	if (IS_ERR(hb)) {
		ch->hb_slots &= ~(1ull << slot);
		ch->hb_bytes -= req.size;
		mutex_unlock(&ch->hb_lock);
		return PTR_ERR(hb);
	}
	hb->slot = slot;
	list_add(&hb->node, &ch->hostbufs);
	req.mmap_off = vgpu_hb_off(slot);
	req.grant_dir = hb->top_ref;
	mutex_unlock(&ch->hb_lock);
	if (copy_to_user(arg, &req, sizeof(req))) {
		vgpu_hostbuf_free_off(ch, req.mmap_off);
		return -EFAULT;
	}
	return 0;
}

/* Caller holds ch->hb_lock. */
static struct vgpu_hostbuf *vgpu_hb_find(struct vgpu_chan *ch, u64 off)
{
	struct vgpu_hostbuf *hb;

	list_for_each_entry(hb, &ch->hostbufs, node) {
		if (vgpu_hb_off(hb->slot) == off)
			return hb;
	}
	return NULL;
}

/* Off the channel's list and its caps; the caller frees it. Caller holds ch->hb_lock. */
static void vgpu_hb_unlink(struct vgpu_chan *ch, struct vgpu_hostbuf *hb)
{
	list_del(&hb->node);
	ch->hb_slots &= ~(1ull << hb->slot);
	ch->hb_bytes -= (u64)hb->nr_pages * VGPU_PAGE_SIZE;
}

/**
 * vgpu_hostbuf_free_off() - end the grants of the buffer mapped at @off
 * @ch:  the channel
 * @off: its mmap offset
 *
 * Pages still mapped by the process stay until it unmaps them; pages the
 * backend still maps stay until it unmaps them (gnttab_end_foreign_access).
 * Return: 0 or -ENOENT.
 */
long vgpu_hostbuf_free_off(struct vgpu_chan *ch, u64 off)
{
	struct vgpu_hostbuf *hb;

	mutex_lock(&ch->hb_lock);
	hb = vgpu_hb_find(ch, off);
	if (hb)
		vgpu_hb_unlink(ch, hb);
	mutex_unlock(&ch->hb_lock);
	if (!hb)
		return -ENOENT;
	vgpu_hb_free(hb);
	return 0;
}

/* VGPU_IOC_HOSTBUF_FREE. */
long vgpu_hostbuf_free(struct vgpu_chan *ch, void __user *arg)
{
	struct vgpu_ioc_hostbuf req;

	if (copy_from_user(&req, arg, sizeof(req)))
		return -EFAULT;
	return vgpu_hostbuf_free_off(ch, req.mmap_off);
}

/**
 * vgpu_hostbuf_mmap() - map a host buffer, whole, at its own offset
 * @ch:  the channel
 * @vma: the mapping (shared; its offset at or above VGPU_MMAP_HOSTBUF_OFF)
 *
 * Return: 0, -EINVAL (no buffer there, or not its size), or vm_insert_page's error.
 */
int vgpu_hostbuf_mmap(struct vgpu_chan *ch, struct vm_area_struct *vma)
{
	struct vgpu_hostbuf *hb;
	unsigned long i;
	int err = -EINVAL;

	mutex_lock(&ch->hb_lock);
	hb = vgpu_hb_find(ch, (u64)vma->vm_pgoff << PAGE_SHIFT);
	if (hb && vma_pages(vma) == hb->nr_pages) {
		err = 0;
		for (i = 0; i < hb->nr_pages && !err; i++)
			err = vm_insert_page(vma, vma->vm_start + i * PAGE_SIZE, hb->pages[i]);
	}
	mutex_unlock(&ch->hb_lock);
	return err;
}

/**
 * vgpu_hostbuf_free_all() - the file is closed: end every buffer's grants
 * @ch: the channel; no mapping of the file is left (each holds the file)
 */
void vgpu_hostbuf_free_all(struct vgpu_chan *ch)
{
	struct vgpu_hostbuf *hb, *tmp;
	LIST_HEAD(gone);

	mutex_lock(&ch->hb_lock);
	list_splice_init(&ch->hostbufs, &gone);
	ch->hb_slots = 0;
	ch->hb_bytes = 0;
	mutex_unlock(&ch->hb_lock);
	list_for_each_entry_safe(hb, tmp, &gone, node) {
		list_del(&hb->node);
		vgpu_hb_free(hb);
	}
}

// SPDX-License-Identifier: GPL-2.0
/*
 * vgpu_fops.c: /dev/vgpu, the misc device libvgpu talks to: one channel
 * per open, mmap of the ring, the data area and host buffers, kick, info,
 * host-buffer alloc and free, poll, read.
 */
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/poll.h>
#include <linux/uaccess.h>
#include <linux/sched/signal.h>
#include "vgpu_fe.h"
#include "vgpu_ioctl.h"

static int vgpu_fop_open(struct inode *inode, struct file *file)
{
	struct vgpu_fe *front;
	struct vgpu_chan *ch;
	int err;

	front = vgpu_fe_get_connected();
	if (!front)
		return -ENODEV;
	err = vgpu_chan_open(front, &ch);
	vgpu_fe_put(front);
	if (err)
		return err;
	file->private_data = ch;
	return stream_open(inode, file);
}

static int vgpu_fop_release(struct inode *inode, struct file *file)
{
	/* No mapping is left (each holds the file): the buffers' grants end now. */
	vgpu_hostbuf_free_all(file->private_data);
	vgpu_chan_close(file->private_data);
	return 0;
}

/* Insert pages[0..n) at the start of vma. Caller checked the size. */
static int vgpu_map_pages(struct vm_area_struct *vma, struct page **pages, unsigned int n)
{
	unsigned int i;
	int err;

	for (i = 0; i < n; i++) {
		err = vm_insert_page(vma, vma->vm_start + i * PAGE_SIZE, pages[i]);
		if (err)
			return err;
	}
	return 0;
}

static int vgpu_fop_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct vgpu_chan *ch = file->private_data;
	struct vgpu_fe *front = ch->front;
	u64 off = (u64)vma->vm_pgoff << PAGE_SHIFT;
	unsigned long npages = vma_pages(vma);
	int err;

	/* The pages are shared with the backend: a private (COW) copy makes no sense. */
	if (!(vma->vm_flags & VM_SHARED))
		return -EINVAL;
	vgpu_vma_set_flags(vma, VM_DONTEXPAND | VM_DONTDUMP | VM_DONTCOPY);
	if (off >= VGPU_MMAP_HOSTBUF_OFF)
		return vgpu_hostbuf_mmap(ch, vma);
	mutex_lock(&front->lock);
	if (ch->released || ch->broken) {
		err = -EIO;
	} else if (off == VGPU_MMAP_RING_OFF) {
		err = npages == ch->nr_ring_pages ?
			vgpu_map_pages(vma, ch->ring_pages, ch->nr_ring_pages) : -EINVAL;
	} else if (off == VGPU_MMAP_DATA_OFF) {
		err = npages == ch->nr_data_pages ?
			vgpu_map_pages(vma, ch->data_pages, ch->nr_data_pages) : -EINVAL;
	} else {
		err = -EINVAL;
	}
	mutex_unlock(&front->lock);
	return err;
}

static long vgpu_ioc_info(struct vgpu_chan *ch, void __user *arg)
{
	struct vgpu_fe *front = ch->front;
	struct vgpu_ioc_info info = { 0 };

	mutex_lock(&front->lock);
	info.ring_order = ch->ring_order;
	info.nr_slots = vgpu_ring_slots(ch->ring_order);
	info.data_bytes = (u64)ch->nr_data_pages * VGPU_PAGE_SIZE;
	info.vm_id = front->vm_id;
	info.priority = front->priority;
	strscpy(info.pool, front->pool, sizeof(info.pool));
	info.state = ch->broken || ch->released ? XenbusStateClosed : ch->be_state;
	mutex_unlock(&front->lock);
	return copy_to_user(arg, &info, sizeof(info)) ? -EFAULT : 0;
}

static long vgpu_fop_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct vgpu_chan *ch = file->private_data;

	switch (cmd) {
	case VGPU_IOC_INFO:
		return vgpu_ioc_info(ch, (void __user *)arg);
	case VGPU_IOC_KICK:
		if (vgpu_chan_broken(ch))
			return -EIO;
		vgpu_chan_kick(ch);
		return 0;
	case VGPU_IOC_HOSTBUF_ALLOC:
		return vgpu_hostbuf_alloc(ch, (void __user *)arg);
	case VGPU_IOC_HOSTBUF_FREE:
		return vgpu_hostbuf_free(ch, (void __user *)arg);
	default:
		return -ENOTTY;
	}
}

static __poll_t vgpu_fop_poll(struct file *file, poll_table *wait)
{
	struct vgpu_chan *ch = file->private_data;
	__poll_t mask = 0;

	poll_wait(file, &ch->wq, wait);
	if (vgpu_chan_broken(ch))
		mask |= EPOLLERR;
	if (vgpu_chan_rsp_pending(ch))
		mask |= EPOLLIN | EPOLLRDNORM;
	return mask;
}

/*
 * read(): wait for an event from the backend; returns the number of
 * events since the last read as a u64 (as eventfd does). -EIO once the
 * backend closed the channel, -EAGAIN with O_NONBLOCK and nothing new.
 */
static ssize_t vgpu_fop_read(struct file *file, char __user *buf, size_t len, loff_t *ppos)
{
	struct vgpu_chan *ch = file->private_data;
	u64 n;
	int err;

	if (len < sizeof(n))
		return -EINVAL;
	for (;;) {
		if (vgpu_chan_broken(ch))
			return -EIO;
		n = atomic_xchg(&ch->events, 0);
		if (n)
			break;
		if (file->f_flags & O_NONBLOCK)
			return -EAGAIN;
		err = wait_event_interruptible(ch->wq, atomic_read(&ch->events) ||
					       vgpu_chan_broken(ch));
		if (err)
			return err;
	}
	return put_user(n, (u64 __user *)buf) ? -EFAULT : sizeof(n);
}

static const struct file_operations vgpu_fops = {
	.owner = THIS_MODULE,
	.open = vgpu_fop_open,
	.release = vgpu_fop_release,
	.mmap = vgpu_fop_mmap,
	.unlocked_ioctl = vgpu_fop_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.poll = vgpu_fop_poll,
	.read = vgpu_fop_read,
	.llseek = no_llseek,
};

/*
 * Owner root, group root, mode 0660: the group that may use the GPU is
 * given by udev (guest-kmod/60-vgpu.rules: group "vgpu"), as for /dev/kvm.
 * Every open is a channel charged to this VM, so it is not world-writable.
 */
static struct miscdevice vgpu_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "vgpu",
	.fops = &vgpu_fops,
	.mode = 0660,
};

int vgpu_misc_register(void)
{
	return misc_register(&vgpu_misc);
}

void vgpu_misc_unregister(void)
{
	misc_deregister(&vgpu_misc);
}

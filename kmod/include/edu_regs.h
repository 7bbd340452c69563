/* SPDX-License-Identifier: GPL-2.0 */
/*
 * QEMU's "edu" educational PCI device (hw/misc/edu.c, docs/specs/edu.rst):
 * the register map dmazone's test programs drive it with. The one copy:
 * the kernel test client includes it, and the Java userspace driver
 * (test-vms, io.dmazone.guest.EduRegisters) reads the values from it, so
 * every value here is a plain hexadecimal literal.
 */
#ifndef _DMAZONE_EDU_REGS_H
#define _DMAZONE_EDU_REGS_H

#define EDU_VENDOR		0x1234
#define EDU_DEVICE		0x11e8

/* BAR0 registers */
#define EDU_REG_ID		0x00	/* 0x010000ed: major 1, minor 0 */
#define EDU_REG_LIVENESS	0x04	/* reads back the inverse of what was written */
#define EDU_REG_DMA_SRC		0x80
#define EDU_REG_DMA_DST		0x88
#define EDU_REG_DMA_CNT		0x90
#define EDU_REG_DMA_CMD		0x98

/* EDU_REG_DMA_CMD bits */
#define EDU_CMD_START		0x1	/* start; reads 1 while the transfer runs */
#define EDU_CMD_TO_RAM		0x2	/* clear: RAM -> edu buffer */
#define EDU_CMD_IRQ		0x4	/* raise an interrupt when done */

/* The device's DMA buffer, as an address in the device's own DMA space */
#define EDU_BUF_ADDR		0x40000
#define EDU_BUF_SIZE		0x1000

#endif /* _DMAZONE_EDU_REGS_H */

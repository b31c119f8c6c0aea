/*
 * Start-up code of the test and example firmware on the Cortex-M targets
 * (run under QEMU with semihosting; see tools/qemu-run.sh).
 *
 * Linked with test/mcu/link.ld.in (memory map from project.yml) and with
 * `--specs=rdimon.specs -nostartfiles`: newlib's crt0 is not used, this file
 * does its work.
 *
 *  vector table     initial SP at the top of RAM, Reset, the system
 *                   exceptions of the core (MemManage/BusFault/UsageFault on
 *                   ARMv7-M and ARMv8-M Mainline, SecureFault on ARMv8-M),
 *                   SVC, PendSV, SysTick and OH_MCU_IRQS external interrupts.
 *                   Every handler but Reset is weak: a test may define its own
 *                   (e.g. PendSV_Handler to raise an interrupt on purpose).
 *  Reset_Handler    enables the FPU when the code is built for one (before any
 *                   FP instruction), copies .data, zeroes .bss, bounds newlib's
 *                   heap below the reserved stack, initialises semihosting
 *                   (initialise_monitor_handles), starts the cortex-m port's
 *                   time base (SysTick at 1 kHz from OH_CORE_HZ), runs the
 *                   static constructors, calls main() and passes its result
 *                   to exit().
 *  SysTick_Handler  omniheap_port_cortexm_systick_isr().
 *  faults and unexpected exceptions
 *                   print one line through semihosting (exception name,
 *                   stacked pc/lr, fault status registers where they exist) and
 *                   end the program with exit status OH_MCU_FAULT_STATUS, so a
 *                   fault never hangs until the runner's timeout.
 */
#include <stdint.h>
#include <stdlib.h>

#include "omniheap_port_cortexm.h"

#ifndef OH_CORE_HZ
#error "OH_CORE_HZ (the processor clock that drives SysTick, in Hz) must be defined"
#endif

/** Number of external interrupt vectors in the table (none is enabled). */
#define OH_MCU_IRQS 32
/** Exit status of a program stopped by a fault or an unexpected exception. */
#define OH_MCU_FAULT_STATUS 3

#if defined(__ARM_ARCH_7M__) || defined(__ARM_ARCH_7EM__) || defined(__ARM_ARCH_8M_MAIN__)
#define OH_MCU_HAS_CFSR 1 /* configurable faults and SCB->CFSR/HFSR */
#else
#define OH_MCU_HAS_CFSR 0 /* ARMv6-M, ARMv8-M Baseline: HardFault only */
#endif

#define SCB_CPACR (*(volatile uint32_t *)0xE000ED88u)
#define SCB_CFSR (*(volatile uint32_t *)0xE000ED28u)
#define SCB_HFSR (*(volatile uint32_t *)0xE000ED2Cu)

/* ---- symbols of the linker script and of newlib ----------------------------- */

extern uint32_t __oh_data_load[];  /* .data initial values, in flash */
extern uint32_t __oh_data_start[]; /* .data in RAM */
extern uint32_t __oh_data_end[];
extern uint32_t __oh_bss_start[];
extern uint32_t __oh_bss_end[];
extern char __oh_heap_end[];  /* end of newlib's heap = lowest address of the stack */
extern char __oh_stack_top[]; /* initial SP: top of RAM */
extern char __oh_ram_start[];

/* librdimon: heap limit checked by its _sbrk (0xcafedead: none). Weak, in case
 * a C library without it is used: the heap then grows up to the current SP. */
extern unsigned int __heap_limit __attribute__((weak));
extern void initialise_monitor_handles(void);
extern void __libc_init_array(void);
extern int main(void);

/* newlib calls these through __libc_init_array/__libc_fini_array; crti/crtn
 * are not linked (-nostartfiles), so they are empty here. */
void _init(void);
void _fini(void);
void _init(void) {}
void _fini(void) {}

/* ---- semihosting (for the fault path, which must not rely on newlib) -------- */

#define SEMIHOST_SYS_OPEN 0x01u
#define SEMIHOST_SYS_CLOSE 0x02u
#define SEMIHOST_SYS_WRITE 0x05u
#define SEMIHOST_SYS_WRITE0 0x04u
#define SEMIHOST_SYS_EXIT 0x18u
#define SEMIHOST_SYS_EXIT_EXTENDED 0x20u
#define ADP_STOPPED_APPLICATION_EXIT 0x20026u
#define ADP_STOPPED_RUNTIME_ERROR_UNKNOWN 0x20023u

static uint32_t semihost(uint32_t op, const void *arg) {
  register uint32_t r0 __asm("r0") = op;
  register const void *r1 __asm("r1") = arg;
  __asm volatile("bkpt 0xab" : "+r"(r0) : "r"(r1) : "memory");
  return r0;
}

/* Writes to the program's stdout: ":tt" opened for writing is the host's
 * stdout, where newlib's stdout goes too (SYS_WRITE0 would go to the
 * semihosting console, which QEMU sends to stderr). */
static void semihost_write(const char *text) {
  static const char tt[] = ":tt";
  uint32_t length = 0;
  while (text[length] != '\0') ++length;
  const uint32_t open_args[3] = {(uint32_t)(uintptr_t)tt, 4u /* "w" */, sizeof tt - 1u};
  int32_t handle = (int32_t)semihost(SEMIHOST_SYS_OPEN, open_args);
  if (handle < 0) {
    (void)semihost(SEMIHOST_SYS_WRITE0, text);
    return;
  }
  const uint32_t write_args[3] = {(uint32_t)handle, (uint32_t)(uintptr_t)text, length};
  (void)semihost(SEMIHOST_SYS_WRITE, write_args);
  (void)semihost(SEMIHOST_SYS_CLOSE, &handle);
}

__attribute__((noreturn)) static void semihost_exit(uint32_t status) {
  const uint32_t block[2] = {ADP_STOPPED_APPLICATION_EXIT, status};
  (void)semihost(SEMIHOST_SYS_EXIT_EXTENDED, block);
  /* A host without SYS_EXIT_EXTENDED: plain SYS_EXIT, status 1 for an error. */
  (void)semihost(SEMIHOST_SYS_EXIT, (const void *)(uintptr_t)ADP_STOPPED_RUNTIME_ERROR_UNKNOWN);
  for (;;) {
  }
}

/* ---- reset ------------------------------------------------------------------- */

__attribute__((noreturn)) void Reset_Handler(void);
void Reset_Handler(void) {
#if defined(__ARM_FP)
  /* Full access to CP10/CP11 (the FPU) before the first FP instruction. */
  SCB_CPACR |= 0xFu << 20;
  __asm volatile("dsb\n\tisb" ::: "memory");
#endif
  uint32_t *dst = __oh_data_start;
  const uint32_t *src = __oh_data_load;
  while (dst < __oh_data_end) *dst++ = *src++;
  for (dst = __oh_bss_start; dst < __oh_bss_end; ++dst) *dst = 0u;

  if (&__heap_limit != 0) __heap_limit = (unsigned int)(uintptr_t)__oh_heap_end;
  initialise_monitor_handles();
  if (omniheap_port_cortexm_systick_start(OH_CORE_HZ, 1000u, 1) != 0) {
    semihost_write("startup: OH_CORE_HZ out of range, SysTick not started (no time base)\n");
  }
  __libc_init_array();
  exit(main());
}

/* ---- SysTick: the cortex-m port's time base ------------------------------------ */

void SysTick_Handler(void) __attribute__((weak));
void SysTick_Handler(void) { omniheap_port_cortexm_systick_isr(); }

/* ---- faults and unexpected exceptions ----------------------------------------- */

/* The report runs on its own small stack (the faulting stack may be the
 * problem). OH_MCU_FAULT_STACK_BYTES is also used in Default_Handler's asm. */
#define OH_MCU_FAULT_STACK_BYTES 384
#define OH_MCU_STR_(x) #x
#define OH_MCU_STR(x) OH_MCU_STR_(x)
uint32_t oh_mcu_fault_stack[OH_MCU_FAULT_STACK_BYTES / 4] __attribute__((aligned(8)));

__attribute__((noreturn, used)) void oh_mcu_fault_report(const uint32_t *frame);

static char *put_text(char *p, const char *s) {
  while (*s != '\0') *p++ = *s++;
  return p;
}

static char *put_hex(char *p, const char *label, uint32_t value) {
  int shift;
  p = put_text(p, label);
  *p++ = '0';
  *p++ = 'x';
  for (shift = 28; shift >= 0; shift -= 4) *p++ = "0123456789abcdef"[(value >> shift) & 0xFu];
  return p;
}

static char *put_dec(char *p, uint32_t value) {
  char digits[10];
  int n = 0;
  do {
    digits[n++] = (char)('0' + (int)(value % 10u));
    value /= 10u;
  } while (value != 0u);
  while (n > 0) *p++ = digits[--n];
  return p;
}

static const char *exception_name(uint32_t number) {
  switch (number) {
    case 2: return "NMI";
    case 3: return "HardFault";
    case 4: return "MemManage";
    case 5: return "BusFault";
    case 6: return "UsageFault";
    case 7: return "SecureFault";
    case 11: return "SVCall";
    case 12: return "DebugMonitor";
    case 14: return "PendSV";
    case 15: return "SysTick";
    default: return number >= 16u ? "unexpected IRQ" : "unexpected exception";
  }
}

void oh_mcu_fault_report(const uint32_t *frame) {
  char line[160];
  char *p = line;
  uint32_t ipsr;
  __asm volatile("mrs %0, ipsr" : "=r"(ipsr));
  ipsr &= 0x1FFu;
  p = put_text(p, "\n");
  p = put_text(p, exception_name(ipsr));
  p = put_text(p, " (exception ");
  p = put_dec(p, ipsr);
  p = put_text(p, ")");
  /* The stacked frame r0 r1 r2 r3 r12 lr pc xpsr, if it lies in RAM. */
  uintptr_t f = (uintptr_t)frame;
  if ((f & 3u) == 0u && f >= (uintptr_t)__oh_ram_start &&
      f <= (uintptr_t)__oh_stack_top - 8u * sizeof(uint32_t)) {
    p = put_hex(p, ": pc=", frame[6]);
    p = put_hex(p, " lr=", frame[5]);
    p = put_hex(p, " xpsr=", frame[7]);
  } else {
    p = put_hex(p, ": unreadable exception frame at ", (uint32_t)f);
  }
#if OH_MCU_HAS_CFSR
  p = put_hex(p, " cfsr=", SCB_CFSR);
  p = put_hex(p, " hfsr=", SCB_HFSR);
#endif
  p = put_text(p, "\n");
  *p = '\0';
  semihost_write(line);
  semihost_exit(OH_MCU_FAULT_STATUS);
}

/* Picks the stack the exception frame was pushed on (EXC_RETURN bit 2), moves
 * to the fault stack and reports. ARMv6-M instructions only. */
__attribute__((naked)) void Default_Handler(void);
void Default_Handler(void) {
  __asm volatile(
      "movs r0, #4\n\t"
      "mov r1, lr\n\t"
      "tst r1, r0\n\t"
      "beq 1f\n\t"
      "mrs r0, psp\n\t"
      "b 2f\n"
      "1:\n\t"
      "mrs r0, msp\n"
      "2:\n\t"
      "ldr r1, =oh_mcu_fault_stack + " OH_MCU_STR(OH_MCU_FAULT_STACK_BYTES) "\n\t"
      "mov sp, r1\n\t"
      "bl oh_mcu_fault_report\n\t"
      ".ltorg\n");
}

#define WEAK_DEFAULT __attribute__((weak, alias("Default_Handler")))
void NMI_Handler(void) WEAK_DEFAULT;
void HardFault_Handler(void) WEAK_DEFAULT;
void MemManage_Handler(void) WEAK_DEFAULT;
void BusFault_Handler(void) WEAK_DEFAULT;
void UsageFault_Handler(void) WEAK_DEFAULT;
void SecureFault_Handler(void) WEAK_DEFAULT;
void SVC_Handler(void) WEAK_DEFAULT;
void DebugMon_Handler(void) WEAK_DEFAULT;
void PendSV_Handler(void) WEAK_DEFAULT;
void IRQ_Handler(void) WEAK_DEFAULT; /* every external interrupt */

/* ---- the vector table ------------------------------------------------------------ */

typedef union {
  void (*handler)(void);
  void *stack;
} oh_mcu_vector_t;

#define H(fn) {.handler = (fn)}
#define IRQ4 H(IRQ_Handler), H(IRQ_Handler), H(IRQ_Handler), H(IRQ_Handler)
#define IRQ16 IRQ4, IRQ4, IRQ4, IRQ4

__attribute__((section(".vectors"), used))
const oh_mcu_vector_t oh_mcu_vectors[16 + OH_MCU_IRQS] = {
    {.stack = __oh_stack_top},
    H(Reset_Handler),
    H(NMI_Handler),
    H(HardFault_Handler),
#if OH_MCU_HAS_CFSR
    H(MemManage_Handler),
    H(BusFault_Handler),
    H(UsageFault_Handler),
#else
    H(0), H(0), H(0),
#endif
#if defined(__ARM_ARCH_8M_MAIN__)
    H(SecureFault_Handler),
#else
    H(0),
#endif
    H(0), H(0), H(0),
    H(SVC_Handler),
#if OH_MCU_HAS_CFSR
    H(DebugMon_Handler),
#else
    H(0),
#endif
    H(0),
    H(PendSV_Handler),
    H(SysTick_Handler),
    IRQ16, IRQ16,
};

_Static_assert(OH_MCU_IRQS == 32, "the table lists IRQ16 twice");

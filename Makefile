# omniheap — GNU make build.
#
# Every target name, toolchain, CPU flag, port, QEMU machine and memory map
# comes from project.yml (read through tools/manifest.awk into
# build/manifest.mk). This file names no target; test/build/manifest.sh
# checks that the two agree.
#
#   make                      the library for project.yml's default_target
#                             (build/<target>/libomniheap.a, and .so on hosts)
#   make TARGET=<t>           the library for any target of project.yml
#   make test                 every test lane; closing line "N passed, N failed"
#   make run [TARGET=<t>]     build and run the example firmware
#   make docs                 Doxygen HTML into build/docs (warnings are errors)
#   make install PREFIX=<p>   headers, libraries, pkg-config file
#   make size                 .text/.data/.bss per family on every Cortex-M target
#   make bench                benchmarks (figures, not pass/fail)
#
# Options: VARIANT=<v> (project.yml variants: asan, tsan, ...), PORT=<p>
# (override the target's port), DEFS="-DNAME=value ...", CONFIG_HEADER=<file>.

.DEFAULT_GOAL := all
SHELL := /bin/sh
.SUFFIXES:
.DELETE_ON_ERROR:

# The manifest is converted before anything else is read, so that every
# variable below sees the current project.yml.
MANIFEST_MK := build/manifest.mk
ifneq ($(shell test -f $(MANIFEST_MK) && test ! project.yml -nt $(MANIFEST_MK) && \
  test ! tools/manifest.awk -nt $(MANIFEST_MK) && echo fresh),fresh)
$(shell mkdir -p build && awk -f tools/manifest.awk -v mode=mk project.yml > $(MANIFEST_MK).$$$$ \
  && mv $(MANIFEST_MK).$$$$ $(MANIFEST_MK))
ifneq ($(.SHELLSTATUS),0)
$(error project.yml could not be read (see the message above))
endif
endif
include $(MANIFEST_MK)

TARGET ?= $(Y_default_target)
VARIANT ?=

# ---- the target, from project.yml --------------------------------------------
ifdef Y_name
ifeq ($(filter $(TARGET),$(Y_KEYS_targets)),)
$(error unknown TARGET '$(TARGET)'; project.yml defines: $(Y_KEYS_targets))
endif
ifneq ($(VARIANT),)
ifeq ($(filter $(VARIANT),$(Y_KEYS_variants)),)
$(error unknown VARIANT '$(VARIANT)'; project.yml defines: $(Y_KEYS_variants))
endif
endif
endif

t = $(Y_targets_$(TARGET)_$(1))
TOOLCHAIN := $(call t,toolchain)
PORT ?= $(call t,port)
RUNNER := $(call t,runner)
SHARED := $(call t,shared)
CPU_FLAGS := $(call t,cpu_flags)
TARGET_DEFS := $(call t,defs)
OPT := $(call t,opt)
VARIANT_FLAGS := $(if $(VARIANT),$(Y_variants_$(VARIANT)_flags))
PORT_LIBS := $(Y_ports_$(PORT)_libs)
PORT_LOCK_BYTES := $(Y_ports_$(PORT)_lock_bytes)
VERSION := $(Y_version)
ABI := $(Y_abi_version)

ifeq ($(TOOLCHAIN),native)
  ifeq ($(origin CC),default)
    CC := $(or $(Y_variants_$(VARIANT)_cc),gcc)
  endif
  ifeq ($(origin CXX),default)
    CXX := $(or $(Y_variants_$(VARIANT)_cxx),g++)
  endif
  AR := ar
  NM := nm
  OBJCOPY := objcopy
  READELF := readelf
  SIZE := size
  HOSTED := 1
else
  CC := $(TOOLCHAIN)-gcc
  CXX := $(TOOLCHAIN)-g++
  AR := $(TOOLCHAIN)-ar
  NM := $(TOOLCHAIN)-nm
  OBJCOPY := $(TOOLCHAIN)-objcopy
  READELF := $(TOOLCHAIN)-readelf
  SIZE := $(TOOLCHAIN)-size
  HOSTED := 0
endif

BUILD ?= build
ifdef Y_name
ifeq ($(wildcard ports/$(PORT)/*.c),)
$(error PORT '$(PORT)' has no sources: expected ports/$(PORT)/*.c (see docs/pages/porting.md))
endif
ifeq ($(PORT_LOCK_BYTES),)
$(error port '$(PORT)' is not listed under ports: in project.yml (it needs lock_bytes))
endif
endif

B := $(BUILD)/$(TARGET)$(if $(VARIANT),-$(VARIANT))
CONFIG_H := $(B)/include/omniheap_config.h

# ---- flags ---------------------------------------------------------------------
API_ROOTS := $(patsubst api/%/,%,$(sort $(dir $(wildcard api/*/))))
INCLUDES := -I$(B)/include $(addprefix -Iapi/,$(API_ROOTS)) -Iports/$(PORT)
CONFIG_DEF := $(if $(CONFIG_HEADER),-DOMNIHEAP_CONFIG_HEADER='"$(abspath $(CONFIG_HEADER))"')
WARN := -Wall -Wextra -Werror -Wshadow -Wundef -Wpointer-arith -Wcast-align
DEPFLAGS = -MMD -MP -MF $(@:.o=.d)
CONFIG_FLAGS := $(CPU_FLAGS) $(TARGET_DEFS) $(VARIANT_FLAGS) $(DEFS) $(CONFIG_DEF)

# The core: C++17, freestanding subset, no runtime support needed.
# GCC marks inline static data "unique global"; those must stay hidden.
NO_GNU_UNIQUE = $(if $(findstring clang,$(CXX)),,-fno-gnu-unique)
CORE_CXXFLAGS = -std=c++17 -fno-exceptions -fno-rtti -fno-threadsafe-statics $(NO_GNU_UNIQUE) \
  -fno-unwind-tables -fno-asynchronous-unwind-tables -fno-strict-aliasing -fvisibility=hidden \
  -fvisibility-inlines-hidden -ffunction-sections -fdata-sections \
  $(OPT) $(WARN) -Wpedantic -Wold-style-cast -Wnon-virtual-dtor $(CONFIG_FLAGS)
# Ports and C test code.
PORT_CFLAGS := -std=c11 $(OPT) $(WARN) -Wpedantic -ffunction-sections -fdata-sections $(CONFIG_FLAGS)

CORE_SRCS := $(sort $(wildcard core/*/*.cpp))
PORT_SRCS := $(sort $(wildcard ports/$(PORT)/*.c))
CORE_OBJS := $(CORE_SRCS:%.cpp=$(B)/obj/%.o)
PORT_OBJS := $(PORT_SRCS:%.c=$(B)/obj/%.o)
PIC_OBJS := $(CORE_SRCS:%.cpp=$(B)/pic/%.o) $(PORT_SRCS:%.c=$(B)/pic/%.o)

LIB_A := $(B)/libomniheap.a
LIB_SO_REAL := $(B)/libomniheap.so.$(VERSION)
LIB_SO_NAME := libomniheap.so.$(ABI)
LIB_SO := $(B)/libomniheap.so
LIBS := $(LIB_A) $(if $(filter yes,$(SHARED)),$(LIB_SO))

.PHONY: all lib
all: lib
lib: $(LIBS) $(B)/port.checked

# The configuration header is regenerated on every build; tools/gen-config.sh
# rewrites it only when the resolved values change.
.PHONY: FORCE
$(CONFIG_H): FORCE
	@tools/gen-config.sh $@ core/config/omniheap_config.h.in project.yml $(TARGET) $(PORT) \
	  $(PORT_LOCK_BYTES) $(CC) $(CONFIG_FLAGS)

# The compilers and flags of this build, rewritten only when they change, so
# that a change of flags rebuilds what it affects.
FLAGS_STAMP := $(B)/flags.txt
$(FLAGS_STAMP): FORCE
	@mkdir -p $(@D)
	@printf '%s\n' "$(CC) $(CXX) $(CORE_CXXFLAGS) $(PORT_CFLAGS)" > $@.new
	@if cmp -s $@.new $@; then rm -f $@.new; else mv $@.new $@; fi

$(B)/obj/%.o: %.cpp $(CONFIG_H) $(FLAGS_STAMP)
	@mkdir -p $(@D)
	$(CXX) $(CORE_CXXFLAGS) $(INCLUDES) $(DEPFLAGS) -c $< -o $@

$(B)/obj/%.o: %.c $(CONFIG_H) $(FLAGS_STAMP)
	@mkdir -p $(@D)
	$(CC) $(PORT_CFLAGS) $(INCLUDES) $(DEPFLAGS) -c $< -o $@

$(B)/pic/%.o: %.cpp $(CONFIG_H) $(FLAGS_STAMP)
	@mkdir -p $(@D)
	$(CXX) $(CORE_CXXFLAGS) -fPIC $(INCLUDES) $(DEPFLAGS) -c $< -o $@

$(B)/pic/%.o: %.c $(CONFIG_H) $(FLAGS_STAMP)
	@mkdir -p $(@D)
	$(CC) $(PORT_CFLAGS) -fPIC $(INCLUDES) $(DEPFLAGS) -c $< -o $@

# Static library: the core is linked into one relocatable object whose
# internal (hidden) symbols are then made local, so the archive exports only
# the documented C API; the port's objects stay separate.
$(B)/obj/omniheap-core.o: $(CORE_OBJS) tools/localize.sh
	$(CXX) $(CPU_FLAGS) -r -nostdlib -Wl,--unique -o $@.tmp $(CORE_OBJS)
	tools/localize.sh $(OBJCOPY) $(READELF) $@.tmp $@
	@rm -f $@.tmp

# Port objects get the same treatment (their only hidden symbols are
# compiler helpers such as i386 PIC thunks).
PORT_LOCAL_OBJS := $(PORT_OBJS:$(B)/obj/%.o=$(B)/obj/local/%.o)
$(B)/obj/local/%.o: $(B)/obj/%.o tools/localize.sh
	@mkdir -p $(@D)
	tools/localize.sh $(OBJCOPY) $(READELF) $< $@

$(LIB_A): $(B)/obj/omniheap-core.o $(PORT_LOCAL_OBJS)
	@rm -f $@
	$(AR) rcs $@ $^

# Shared library: linked with the C compiler driver and --no-undefined, so a
# dependency on the C++ runtime would fail right here.
$(LIB_SO_REAL): $(PIC_OBJS)
	$(CC) $(CPU_FLAGS) $(VARIANT_FLAGS) -shared -Wl,-soname,$(LIB_SO_NAME) -Wl,--no-undefined \
	  -o $@ $^ $(PORT_LIBS)

$(LIB_SO): $(LIB_SO_REAL)
	ln -sf $(notdir $<) $(B)/$(LIB_SO_NAME)
	ln -sf $(LIB_SO_NAME) $@

# Every mandatory port hook must be defined by the port.
$(B)/port.checked: $(PORT_OBJS) api/omniheap/omniheap_port.h tools/check-port.sh
	tools/check-port.sh $(PORT) api/omniheap/omniheap_port.h $(NM) $(PORT_OBJS)
	@touch $@

-include $(CORE_OBJS:.o=.d) $(PORT_OBJS:.o=.d) $(PIC_OBJS:.o=.d)

# ---- programs that link the library: tests, examples, benchmarks ---------------
# Plain C, linked with the C compiler driver (never -lstdc++).
PROG_CFLAGS := $(OPT) $(WARN) -Wpedantic $(CONFIG_FLAGS) $(INCLUDES) -Itest/harness
ifeq ($(HOSTED),1)
  PROG_LDFLAGS := $(CPU_FLAGS) $(VARIANT_FLAGS)
  PROG_LIBS := $(LIB_A) $(PORT_LIBS)
  EXE :=
  PROG_CFLAGS += -DOH_HOSTED=1
else
  MCU_OBJS := $(B)/obj/test/mcu/startup.o
  PROG_LDFLAGS = $(CPU_FLAGS) $(call t,libc_specs) --specs=rdimon.specs -nostartfiles \
    -T$(B)/link.ld -Wl,--gc-sections -Wl,-Map,$(@:.elf=.map)
  PROG_LIBS := $(MCU_OBJS) $(LIB_A) $(PORT_LIBS) -lrdimon
  EXE := .elf
  PROG_CFLAGS += -DOH_HOSTED=0 -DOH_CORE_HZ=$(call t,core_hz) -ffunction-sections -fdata-sections
endif

$(B)/link.ld: test/mcu/link.ld.in $(MANIFEST_MK)
	@mkdir -p $(@D)
	sed -e 's/@FLASH_ORIGIN@/$(call t,flash_origin)/' -e 's/@FLASH_SIZE@/$(call t,flash_size)/' \
	    -e 's/@RAM_ORIGIN@/$(call t,ram_origin)/' -e 's/@RAM_SIZE@/$(call t,ram_size)/' $< > $@

$(B)/obj/test/mcu/startup.o: test/mcu/startup.c $(CONFIG_H)
	@mkdir -p $(@D)
	$(CC) -std=c11 $(PROG_CFLAGS) $(DEPFLAGS) -c $< -o $@
-include $(MCU_OBJS:.o=.d)

MCU_DEPS := $(if $(filter 0,$(HOSTED)),$(MCU_OBJS) $(B)/link.ld)

# C conformance suite: the same sources on every target; on the host built
# once as C99 and once as C11. On MCU targets it is split into images (RAM
# of the smallest part): conformance.elf, conformance-kernel.elf (the Zephyr
# kernel heap suites), conformance-emh.elf, conformance-memman.elf and
# conformance-mmt.elf (listeners, report, trace and MMT), main.c choosing the
# suites by OH_PART.
CONF_SRCS := $(sort $(wildcard test/conformance/*.c)) test/harness/oh_test.c
CONF_COMMON := test/conformance/main.c test/conformance/fault_log.c test/conformance/blocks.c test/conformance/child.c test/harness/oh_test.c
CONF_KERNEL := test/conformance/k_heap.c test/conformance/multi_heap.c test/conformance/heap_listener.c
CONF_EMH := test/conformance/emh.c
CONF_MEMMAN := test/conformance/memman.c
CONF_MMT := test/conformance/listeners.c test/conformance/report.c test/conformance/trace.c \
  test/conformance/mmt.c test/conformance/observe.c
CONF_KERNEL_SRCS := $(CONF_COMMON) $(CONF_KERNEL)
CONF_EMH_SRCS := $(CONF_COMMON) $(CONF_EMH)
CONF_MEMMAN_SRCS := $(CONF_COMMON) $(CONF_MEMMAN)
CONF_MMT_SRCS := $(CONF_COMMON) $(CONF_MMT)
define c_program # name, std, sources[, extra flags]
$(B)/obj/$(1)/%.o: %.c $(CONFIG_H)
	@mkdir -p $$(@D)
	$$(CC) -std=$(2) $$(PROG_CFLAGS) $(4) $$(DEPFLAGS) -c $$< -o $$@
$(B)/test/$(1)$(EXE): $(3:%.c=$(B)/obj/$(1)/%.o) $(LIB_A) $(MCU_DEPS)
	@mkdir -p $$(@D)
	$$(CC) $$(PROG_LDFLAGS) -o $$@ $(3:%.c=$(B)/obj/$(1)/%.o) $$(PROG_LIBS)
-include $(3:%.c=$(B)/obj/$(1)/%.d)
endef

ifeq ($(HOSTED),1)
CONFORMANCE := $(B)/test/conformance-c99 $(B)/test/conformance-c11
$(eval $(call c_program,conformance-c99,c99,$(CONF_SRCS)))
$(eval $(call c_program,conformance-c11,c11,$(CONF_SRCS)))
else
CONFORMANCE := $(B)/test/conformance.elf $(B)/test/conformance-kernel.elf $(B)/test/conformance-emh.elf \
  $(B)/test/conformance-memman.elf $(B)/test/conformance-mmt.elf
$(eval $(call c_program,conformance,c11,$(filter-out $(CONF_KERNEL) $(CONF_EMH) $(CONF_MEMMAN) $(CONF_MMT),$(CONF_SRCS)),-DOH_PART=1))
$(eval $(call c_program,conformance-kernel,c11,$(CONF_KERNEL_SRCS),-DOH_PART=2))
$(eval $(call c_program,conformance-emh,c11,$(CONF_EMH_SRCS),-DOH_PART=3))
$(eval $(call c_program,conformance-memman,c11,$(CONF_MEMMAN_SRCS),-DOH_PART=4))
$(eval $(call c_program,conformance-mmt,c11,$(CONF_MMT_SRCS),-DOH_PART=5))
endif

.PHONY: conformance
conformance: $(CONFORMANCE) $(B)/port.checked

# Example firmware (make run).
FIRMWARE_SRCS := $(sort $(wildcard docs/examples/firmware/*.c))
$(eval $(call c_program,firmware,c99,$(FIRMWARE_SRCS)))
FIRMWARE := $(B)/test/firmware$(EXE)

QEMU_RUN = tools/qemu-run.sh $(call t,qemu_machine)

.PHONY: firmware run
firmware: $(FIRMWARE)
run: $(FIRMWARE)
ifeq ($(RUNNER),qemu)
	$(QEMU_RUN) $(FIRMWARE)
else
	$(FIRMWARE)
endif

# Stress programs (host): C, threads, run under the tsan variants.
STRESS_SRCS := $(sort $(wildcard test/stress/*.c))
STRESS := $(STRESS_SRCS:test/stress/%.c=$(B)/test/stress-%)
$(foreach s,$(STRESS_SRCS),$(eval $(call c_program,stress-$(basename $(notdir $(s))),c11,$(s) test/harness/oh_test.c)))
.PHONY: stress
stress: $(STRESS)

# Monte Carlo simulator (tools/sim/omniheap-sim.c, plain C11): part of `make`
# on hosted targets ($(B)/omniheap-sim); on MCU targets `make sim` builds
# $(B)/test/sim.elf (one seed, a small region) for tools/qemu-run.sh.
SIM := $(if $(filter 1,$(HOSTED)),$(B)/omniheap-sim,$(B)/test/sim.elf)
SIM_OBJ := $(B)/obj/sim/tools/sim/omniheap-sim.o
$(SIM_OBJ): tools/sim/omniheap-sim.c $(CONFIG_H)
	@mkdir -p $(@D)
	$(CC) -std=c11 $(PROG_CFLAGS) $(DEPFLAGS) -c $< -o $@
$(SIM): $(SIM_OBJ) $(LIB_A) $(MCU_DEPS)
	@mkdir -p $(@D)
	$(CC) $(PROG_LDFLAGS) -o $@ $(SIM_OBJ) $(PROG_LIBS) -lm
-include $(SIM_OBJ:.o=.d)
.PHONY: sim
sim: $(SIM)
ifeq ($(HOSTED),1)
all: $(SIM)
endif

# ---- fuzz targets (host, VARIANT=fuzz: clang, libFuzzer + ASan + UBSan) -----------
FUZZ_SRCS := $(sort $(wildcard test/fuzz/*.c))
FUZZERS := $(FUZZ_SRCS:test/fuzz/%.c=$(B)/fuzz/%)
$(B)/fuzz/%: test/fuzz/%.c $(LIB_A)
	@mkdir -p $(@D)
	$(CC) -std=c11 $(PROG_CFLAGS) -fsanitize=fuzzer -o $@ $< $(LIB_A) $(PORT_LIBS)
.PHONY: fuzz fuzz-programs
fuzz-programs: $(FUZZERS)
# make fuzz FUZZ_SECONDS=n: each fuzzer for n seconds (default 60).
fuzz:
	@$(MAKE) --no-print-directory VARIANT=fuzz fuzz-programs
	@test/fuzz/run.sh $(BUILD)/$(TARGET)-fuzz/fuzz -max_total_time=$(or $(FUZZ_SECONDS),60)

# ---- C++ unit tests (GoogleTest, host only) ------------------------------------
UNIT_SRCS := $(sort $(wildcard test/unit/*.cpp))
UNIT_OBJS := $(UNIT_SRCS:%.cpp=$(B)/obj/%.o)
UNIT := $(B)/test/unit
$(B)/obj/test/unit/%.o: test/unit/%.cpp $(CONFIG_H)
	@mkdir -p $(@D)
	$(CXX) -std=c++17 $(OPT) -g -fno-strict-aliasing $(WARN) $(CONFIG_FLAGS) $(INCLUDES) -Icore $(DEPFLAGS) -c $< -o $@
$(UNIT): $(UNIT_OBJS) $(LIB_A)
	@mkdir -p $(@D)
	$(CXX) $(PROG_LDFLAGS) -o $@ $(UNIT_OBJS) $(LIB_A) -lgtest -pthread
-include $(UNIT_OBJS:.o=.d)
.PHONY: unit
unit: $(UNIT)

# ---- everything the test lanes need for this target -------------------------------
.PHONY: print-config print-targets
print-targets:
	@echo $(Y_KEYS_targets)
print-config:
	@echo "target=$(TARGET)"
	@$(foreach k,$(Y_KEYS_targets_$(TARGET)),echo "$(k)=$(call t,$(k))";)
	@echo "cc=$(CC)"
	@echo "cxx=$(CXX)"
	@echo "core_cxxflags=$(CORE_CXXFLAGS)"
	@echo "port_libs=$(PORT_LIBS)"
	@echo "build_dir=$(B)"

# ---- make test ---------------------------------------------------------------------
.PHONY: test
test:
	@test/run-all.sh

# ---- make size ---------------------------------------------------------------------
.PHONY: size
size:
	@tools/size-report.sh $(foreach x,$(Y_KEYS_targets),$(if $(filter qemu,$(Y_targets_$(x)_runner)),$(x)))

# ---- make bench ----------------------------------------------------------------------
# Benchmark programs (host); test/bench/run.sh runs them and prints the figures.
BENCH_C := $(patsubst test/bench/%.c,$(B)/bench/%,$(wildcard test/bench/*.c))
BENCH_CXX := $(patsubst test/bench/%.cpp,$(B)/bench/%,$(wildcard test/bench/*.cpp))
# Google Benchmark (*_gbench) is installed for the 64-bit host only: -m32
# builds (TARGET=host32) build every other bench program.
ifneq ($(filter -m32,$(CPU_FLAGS)),)
BENCH_CXX := $(filter-out %_gbench,$(BENCH_CXX))
endif
$(B)/bench/%: test/bench/%.c $(LIB_A)
	@mkdir -p $(@D)
	$(CC) -std=c11 -O2 -g $(WARN) $(CONFIG_FLAGS) $(INCLUDES) -o $@ $< $(LIB_A) $(PORT_LIBS)
# -Icore and -fno-strict-aliasing: the heap drivers include the engine
# (core/engine/...), which is built that way in the library and unit tests.
$(B)/bench/%: test/bench/%.cpp test/bench/heap_subjects.hpp $(LIB_A)
	@mkdir -p $(@D)
	$(CXX) -std=c++17 -O2 -g -fno-strict-aliasing $(WARN) $(CONFIG_FLAGS) $(INCLUDES) -Icore -Itest/bench \
	  -o $@ $< $(LIB_A) $(if $(filter %_gbench,$@),-lbenchmark) $(PORT_LIBS)
.PHONY: bench bench-programs
bench-programs: $(BENCH_C) $(BENCH_CXX)
bench:
	@test/bench/run.sh

# ---- make docs -----------------------------------------------------------------------
.PHONY: docs
docs: $(CONFIG_H)
	@command -v doxygen >/dev/null || { echo "make docs: doxygen not found (apt-get install doxygen graphviz)"; exit 1; }
	@rm -rf build/docs/html && mkdir -p build/docs
	@# Doxygen's warnings (stderr) go to the log too, and are counted there.
	@( cat docs/Doxyfile; echo "PROJECT_NUMBER = $(VERSION)"; \
	  echo "INCLUDE_PATH = $(B)/include"; \
	  echo "INPUT += $(CONFIG_H)" ) | doxygen - > build/docs/doxygen.log 2>&1; status=$$?; \
	n=$$(grep -c -E ': (warning|error):' build/docs/doxygen.log); \
	if [ $$status -ne 0 ] || [ $$n -ne 0 ]; then \
	  grep -E ': (warning|error):' build/docs/doxygen.log; \
	  echo "make docs: $$n warning(s), doxygen exit status $$status (see build/docs/doxygen.log)" >&2; exit 1; \
	fi
	@echo "docs: build/docs/html/index.html (0 warnings)"

# ---- make install --------------------------------------------------------------------
PREFIX ?= /usr/local
INCLUDEDIR := $(PREFIX)/include/omniheap
LIBDIR := $(PREFIX)/lib
.PHONY: install
install: lib
	@for root in $(API_ROOTS); do \
	  mkdir -p "$(DESTDIR)$(INCLUDEDIR)/$$root"; \
	  (cd api/$$root && find . -name '*.h' -exec cp --parents {} "$(DESTDIR)$(INCLUDEDIR)/$$root/" \;); \
	done
	cp $(CONFIG_H) $(wildcard ports/$(PORT)/*.h) "$(DESTDIR)$(INCLUDEDIR)/omniheap/"
	mkdir -p "$(DESTDIR)$(LIBDIR)/pkgconfig"
	cp $(LIB_A) "$(DESTDIR)$(LIBDIR)/"
ifeq ($(SHARED),yes)
	cp $(LIB_SO_REAL) "$(DESTDIR)$(LIBDIR)/"
	ln -sf $(notdir $(LIB_SO_REAL)) "$(DESTDIR)$(LIBDIR)/$(LIB_SO_NAME)"
	ln -sf $(LIB_SO_NAME) "$(DESTDIR)$(LIBDIR)/libomniheap.so"
endif
	{ echo "prefix=$(PREFIX)"; \
	  echo "includedir=\$${prefix}/include/omniheap"; \
	  echo "libdir=\$${prefix}/lib"; echo; \
	  echo "Name: $(Y_name)"; \
	  echo "Description: $(Y_description)"; \
	  echo "Version: $(VERSION)"; \
	  echo "Cflags:$(foreach r,$(API_ROOTS), -I\$${includedir}/$(r))"; \
	  echo "Libs: -L\$${libdir} -lomniheap"; \
	  echo "Libs.private: $(PORT_LIBS)"; \
	} > "$(DESTDIR)$(LIBDIR)/pkgconfig/omniheap.pc"
	@echo "installed omniheap $(VERSION) ($(TARGET)) into $(DESTDIR)$(PREFIX)"

.PHONY: clean
clean:
	rm -rf build

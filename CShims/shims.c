// All shims are header-inline; this file gives SwiftPM a compilation unit.
#include "memscan_shims.h"

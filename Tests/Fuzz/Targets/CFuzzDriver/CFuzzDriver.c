// Declarations only (include/CFuzzDriver.h); the driver itself is libFuzzer's.
#include "CFuzzDriver.h"

#pragma once

namespace featurescope {

// The text of resources/hardware_presets.json, compiled into core at build time (CMake configure_file of
// HardwarePresetsData.cpp.in), so neither the CLI nor the GUI needs files beside the binary.
const char* hardwarePresetsJsonText();

} // namespace featurescope

#pragma once

#include "toy/PhaseDiagram.h"

#include <nlohmann/json.hpp>

#include <string>

namespace featurescope {

class SettingsReader;

// A computed phase diagram as session JSON: only its trained part (grid, regions found, the extra feature's norms);
// reading it back recomputes the analytic regions and boundaries (PhaseDiagram::assemble). Hostile input is refused
// with one InputError naming the key.
class PhaseDiagramState {
public:
    static nlohmann::json write(const PhaseDiagramResult& result);
    static PhaseDiagramResult read(const SettingsReader& stored);
};

} // namespace featurescope

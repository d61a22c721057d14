#include "cli/CommandLine.h"

#include "QtNoiseFilter.h"

#include "cli/RenderCommand.h"
#include "cli/TmsCommand.h"
#include "cli/SweepCommand.h"
#include "cli/PhaseCommand.h"
#include "cli/BenchCommand.h"
#include "cli/EnergyCommand.h"
#include "cli/SaeCommand.h"
#include "cli/SaeSweepCommand.h"
#include "cli/SaeSplitCommand.h"
#include "cli/ScaleCommand.h"
#include "cli/LmCommand.h"
#include "cli/DashboardCommand.h"
#include "common/InputError.h"

#include <QApplication>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <exception>
#include <filesystem>
#include <iostream>
#include <sstream>

CommandLine::CommandLine()
{
    m_commands.push_back(std::make_unique<TmsCommand>());
    m_commands.push_back(std::make_unique<SweepCommand>());
    m_commands.push_back(std::make_unique<PhaseCommand>());
    m_commands.push_back(std::make_unique<EnergyCommand>());
    m_commands.push_back(std::make_unique<SaeCommand>());
    m_commands.push_back(std::make_unique<SaeSweepCommand>());
    m_commands.push_back(std::make_unique<SaeSplitCommand>());
    m_commands.push_back(std::make_unique<ScaleCommand>());
    m_commands.push_back(std::make_unique<LmCommand>());
    m_commands.push_back(std::make_unique<DashboardCommand>());
    m_commands.push_back(std::make_unique<RenderCommand>());
    m_commands.push_back(std::make_unique<BenchCommand>());
}

CommandLine::~CommandLine() = default;

namespace {

// Qt's own options (-platform, -style, ...) start with a single dash and belong to the GUI.
bool isQtOption(const char* argument) { return argument[0] == '-' && argument[1] != '-'; }

bool isRegularFile(const std::string& path)
{
    std::error_code error;
    return std::filesystem::is_regular_file(std::filesystem::path(path), error);
}

} // namespace

bool CommandLine::isOpenableFileName(const std::string& argument)
{
    std::string lower = argument;
    std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return char(std::tolower(c)); });
    for (const char* suffix : {".fss", ".npy", ".npz", ".safetensors"}) {
        const std::size_t n = std::strlen(suffix);
        if (lower.size() > n && lower.compare(lower.size() - n, n, suffix) == 0)
            return true;
    }
    return false;
}

std::string CommandLine::fileToOpen(int argc, char** argv)
{
    if (argc < 2 || !isOpenableFileName(argv[1]) || !isRegularFile(argv[1]))
        return {};
    if (argc > 2 && !isQtOption(argv[2]))
        return {}; // one file at a time (run() says so); Qt's options and their values may follow the file
    return argv[1];
}

bool CommandLine::wantsCommandLine(int argc, char** argv)
{
    if (argc < 2)
        return false;
    if (isOpenableFileName(argv[1]))
        return fileToOpen(argc, argv).empty();
    return !isQtOption(argv[1]);
}

std::string CommandLine::helpText() const
{
    std::ostringstream s;
    s << "featurescope " << FEATURESCOPE_VERSION
      << " - a workbench for mechanistic interpretability\n\n"
         "usage: featurescope                 open the GUI on the default session\n"
         "       featurescope FILE            open the GUI with a session (.fss) or activations (.npy, .npz,\n"
         "                                    .safetensors)\n"
         "       featurescope COMMAND [options] [--json]\n\ncommands:\n";
    for (const auto& command : m_commands)
        s << "  " << command->name() << std::string(10 - std::min<std::size_t>(command->name().size(), 9), ' ')
          << command->summary() << "\n";
    s << "\n'featurescope COMMAND --help' lists a command's options. Exit status: 0 on success, 2 on bad arguments\n"
         "or bad input files (one line on stderr).\n";
    return s.str();
}

int CommandLine::run(int argc, char** argv)
{
    const std::string first = argv[1];
    if (first == "--help" || first == "-h" || first == "help") {
        std::cout << helpText();
        return 0;
    }
    if (first == "--version") {
        std::cout << "featurescope " << FEATURESCOPE_VERSION << "\n";
        return 0;
    }
    if (isOpenableFileName(first)) { // reached only when the GUI cannot open it (see wantsCommandLine)
        if (!isRegularFile(first))
            std::cerr << "featurescope: cannot open '" << first << "': no such file\n";
        else
            std::cerr << "featurescope: opens one file at a time ('" << first << "' and more were given)\n";
        return 2;
    }
    CliCommand* command = nullptr;
    for (const auto& c : m_commands)
        if (c->name() == first)
            command = c.get();
    if (!command) {
        std::cerr << "featurescope: unknown command '" << first << "' (see featurescope --help)\n";
        return 2;
    }
    std::vector<std::string> arguments(argv + 2, argv + argc);
    for (const auto& a : arguments)
        if (a == "--help") {
            std::cout << "usage: " << command->usage() << "\n\n";
            // The command prints its options when asked through run().
            break;
        }
    QtNoiseFilter::install();
    std::unique_ptr<QApplication> app;
    if (command->needsGui()) {
        // Headless drawing: no display needed unless the caller chose a platform.
        if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
            qputenv("QT_QPA_PLATFORM", "offscreen");
        static int qtArgc = 1;
        static char* qtArgv[] = {argv[0], nullptr};
        app = std::make_unique<QApplication>(qtArgc, qtArgv);
        QApplication::setStyle(QStringLiteral("Fusion"));
    }
    try {
        return command->run(arguments);
    } catch (const featurescope::InputError& error) {
        std::cerr << "featurescope " << command->name() << ": " << error.what() << "\n";
        return 2;
    } catch (const std::bad_alloc&) {
        // Readers refuse oversized files by name before allocating (MemoryBudget); should one slip through, still
        // say which input files were involved.
        std::string files;
        for (const auto& a : arguments) {
            std::error_code error;
            if (!a.empty() && a[0] != '-' && std::filesystem::exists(a, error))
                files += (files.empty() ? "" : ", ") + a;
        }
        std::cerr << "featurescope " << command->name() << ": out of memory"
                  << (files.empty() ? std::string() : " while working on " + files) << "\n";
        return 2;
    } catch (const std::exception& error) {
        std::cerr << "featurescope " << command->name() << ": " << error.what() << "\n";
        return 1;
    }
}

#pragma once

#include <QProcess>
#include <QProcessEnvironment>
#include <QStringList>

// One run of the real featurescope binary (FEATURESCOPE_BINARY, set by CTest), so the command-line tests check the
// exit status and output a user would see rather than calling the command classes in process.
struct CliRun {
    int exitCode = -1; // -1 when the binary did not start, crashed or was killed after timeoutMs
    QByteArray out;
    QByteArray err;

    // Tests pass their subcommand as the first argument and an environment when theirs must differ from ours.
    static CliRun run(const QStringList& arguments, int timeoutMs = 120000,
                      const QProcessEnvironment& environment = QProcessEnvironment::systemEnvironment())
    {
        const QString binary = qEnvironmentVariable("FEATURESCOPE_BINARY");
        if (binary.isEmpty())
            qFatal("FEATURESCOPE_BINARY is not set (CTest sets it)");
        QProcess process;
        process.setProcessEnvironment(environment);
        process.start(binary, arguments);
        const bool finished = process.waitForFinished(timeoutMs);
        if (!finished) { // a hung command fails its own test instead of stalling the suite until CTest's timeout
            qWarning("featurescope %s did not finish within %d ms", qPrintable(arguments.join(u' ')), timeoutMs);
            process.kill();
            process.waitForFinished();
        }
        return {finished && process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1,
                process.readAllStandardOutput(), process.readAllStandardError()};
    }
};

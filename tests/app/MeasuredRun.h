#pragma once

#include <QByteArray>
#include <QFile>
#include <QProcessEnvironment>
#include <QStringList>
#include <QTemporaryDir>

#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <string>
#include <vector>

// One run of the featurescope binary (FEATURESCOPE_BINARY, as CliRun) that also measures what the run cost: wall
// time and the child's own peak resident memory (wait4's rusage, for this child only). A run still going after
// timeoutMs is killed and reports exitCode -1, like a crash. Run it while holding no large buffers: the child's
// peak starts from this process's resident size at the fork.
struct MeasuredRun {
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
    double seconds = 0.0;
    long peakMegabytes = 0;

    static MeasuredRun run(const QStringList& arguments, int timeoutMs = 120000,
                           const QProcessEnvironment& environment = QProcessEnvironment::systemEnvironment())
    {
        MeasuredRun result;
        const QByteArray binary = qgetenv("FEATURESCOPE_BINARY");
        if (binary.isEmpty())
            qFatal("FEATURESCOPE_BINARY is not set (CTest sets it)");
        QTemporaryDir streams;
        const QByteArray outPath = streams.filePath(QStringLiteral("out")).toLocal8Bit();
        const QByteArray errPath = streams.filePath(QStringLiteral("err")).toLocal8Bit();
        std::vector<std::string> args{binary.toStdString()};
        for (const QString& a : arguments)
            args.push_back(a.toStdString());
        std::vector<char*> argv;
        for (auto& a : args)
            argv.push_back(a.data());
        argv.push_back(nullptr);
        std::vector<std::string> env;
        for (const QString& e : environment.toStringList())
            env.push_back(e.toStdString());
        std::vector<char*> envp;
        for (auto& e : env)
            envp.push_back(e.data());
        envp.push_back(nullptr);

        const int outFd = ::open(outPath.constData(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        const int errFd = ::open(errPath.constData(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        const int nullFd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
        timespec start{};
        clock_gettime(CLOCK_MONOTONIC, &start);
        // fork, not posix_spawn: a vfork-style spawn shares this process's memory until exec, and the kernel then
        // counts this process's own peak as the child's (ru_maxrss). A forked child starts from our current RSS
        // (a few tens of MB), which the bounds allow for.
        const pid_t pid = ::fork();
        if (pid == 0) {
            ::dup2(nullFd, 0);
            ::dup2(outFd, 1);
            ::dup2(errFd, 2);
            ::execve(argv[0], argv.data(), envp.data());
            ::_exit(127);
        }
        ::close(outFd);
        ::close(errFd);
        ::close(nullFd);
        if (pid < 0)
            return result;
        int status = 0;
        rusage usage{};
        while (true) {
            const pid_t done = wait4(pid, &status, WNOHANG, &usage);
            timespec now{};
            clock_gettime(CLOCK_MONOTONIC, &now);
            result.seconds = double(now.tv_sec - start.tv_sec) + double(now.tv_nsec - start.tv_nsec) / 1e9;
            if (done == pid)
                break;
            if (result.seconds * 1000.0 > timeoutMs) {
                qWarning("featurescope %s did not finish within %d ms", qPrintable(arguments.join(u' ')), timeoutMs);
                kill(pid, SIGKILL);
                wait4(pid, &status, 0, &usage);
                status = -1;
                break;
            }
            usleep(5000);
        }
        result.peakMegabytes = usage.ru_maxrss / 1024; // kilobytes on Linux
        if (status != -1 && WIFEXITED(status))
            result.exitCode = WEXITSTATUS(status);
        QFile out(QString::fromLocal8Bit(outPath));
        if (out.open(QIODevice::ReadOnly))
            result.out = out.readAll();
        QFile err(QString::fromLocal8Bit(errPath));
        if (err.open(QIODevice::ReadOnly))
            result.err = err.readAll();
        return result;
    }
};

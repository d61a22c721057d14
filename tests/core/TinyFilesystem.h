#pragma once

#include <QDir>
#include <QString>

#include <sys/mount.h>

// A 64 KB tmpfs mounted at `path` for the life of the object, so tests can fill a disk. Mounting needs privileges
// (root or CAP_SYS_ADMIN); isMounted() is false otherwise and the test skips that case.
class TinyFilesystem {
public:
    explicit TinyFilesystem(const QString& path) : m_path(path)
    {
        QDir().mkpath(path);
        m_mounted = ::mount("tmpfs", path.toLocal8Bit().constData(), "tmpfs", 0, "size=64k") == 0;
    }
    ~TinyFilesystem()
    {
        if (m_mounted)
            ::umount2(m_path.toLocal8Bit().constData(), MNT_DETACH);
    }
    TinyFilesystem(const TinyFilesystem&) = delete;
    TinyFilesystem& operator=(const TinyFilesystem&) = delete;

    bool isMounted() const { return m_mounted; }
    QString filePath(const QString& name) const { return m_path + QLatin1Char('/') + name; }

private:
    QString m_path;
    bool m_mounted = false;
};

module cpuoverhead

go 1.19

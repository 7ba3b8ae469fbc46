from focuscal.cli import main

main()

from sheetcrm.cli import main

main()
